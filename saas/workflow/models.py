"""Circuits: platform templates, each collectivity's definitions and their immutable versions, running
circuits (one per submission of a report), the tasks they give people, what each person did, and absences
delegated to a colleague."""

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from saas.core.database import Base, PersonOwned, TenantOwned, utcnow
from saas.identity.models import Person
from saas.tenancy.models import AssemblyKind, enum_column


class AppliesTo(enum.StrEnum):
    #: reports (projets de délibération) for an assembly of a given kind
    REPORTS = "reports"
    #: adopted acts to sign (the president and the secretary of the sitting)
    ACTS = "acts"
    #: the purchasing group's agreement
    GROUP_AGREEMENT = "group_agreement"


class DefinitionStatus(enum.StrEnum):
    ACTIVE = "active"
    #: offered no more; circuits running with one of its versions go on
    RETIRED = "retired"


class RunState(enum.StrEnum):
    RUNNING = "running"
    #: every step done (or validated urgently): the report is ready
    COMPLETED = "completed"
    #: refused back to the drafter, who submits a new version (a new run)
    REFUSED = "refused"


class TaskState(enum.StrEnum):
    #: awaiting its person (or their delegate)
    OPEN = "open"
    #: its person asked someone else's opinion first (an inserted task) and waits for it
    WAITING = "waiting"
    APPROVED = "approved"
    REFUSED = "refused"
    #: the circuit went back to an earlier step from this one
    SENT_BACK = "sent_back"
    #: an information step's task: the person was told, nothing to do
    INFORMED = "informed"
    #: closed without its person: another one approved a "one of them" step, or the circuit ended
    CANCELLED = "cancelled"


class TaskKind(enum.StrEnum):
    #: a task of a step of the definition
    STEP = "step"
    #: someone inserted by a step's person, whose answer returns to that person
    INSERTED = "inserted"


class WorkflowTemplate(Base):
    """One version of a shipped definition (a file of ``workflows/``), platform-wide; collectivities adopt
    copies of it (saas.workflow.definitions.adopt_template). Never changed: a changed file is a new row."""

    __tablename__ = "workflow_template"
    __table_args__ = (sa.UniqueConstraint("key", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the file's name without ".toml", e.g. "validation-simple"
    key: Mapped[str] = mapped_column(sa.String(63))
    #: version number, from 1
    number: Mapped[int] = mapped_column()
    name: Mapped[str] = mapped_column(sa.String(200))
    #: the validated definition (the TOML format, with defaults filled)
    document: Mapped[dict] = mapped_column(sa.JSON)
    #: SHA-256 of the canonical JSON of ``document``: loading an unchanged file is recognised by it
    sha256: Mapped[str] = mapped_column(sa.String(64))
    #: the file it was read from
    source: Mapped[str] = mapped_column(sa.String(255))
    loaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class WorkflowDefinition(TenantOwned, Base):
    """A collectivity's own circuit, adopted from a template or written by its admins."""

    __tablename__ = "workflow_definition"
    __table_args__ = (
        sa.UniqueConstraint("tenant_id", "key"),
        sa.Index("ix_workflow_definition_tenant_id_id", "tenant_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(63))
    name: Mapped[str] = mapped_column(sa.String(200))
    applies_to: Mapped[AppliesTo] = enum_column(AppliesTo)
    #: for reports: the kind of assembly whose reports it validates
    assembly_kind: Mapped[AssemblyKind | None] = enum_column(AssemblyKind, nullable=True)
    status: Mapped[DefinitionStatus] = enum_column(DefinitionStatus, default=DefinitionStatus.ACTIVE)
    #: the template it was adopted from, and that template's version; empty when written here
    template_key: Mapped[str | None] = mapped_column(sa.String(63))
    template_number: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column()

    versions: Mapped[list["WorkflowVersion"]] = relationship(
        back_populates="definition", order_by="WorkflowVersion.number", viewonly=True
    )


class WorkflowVersion(TenantOwned, Base):
    """One immutable version of a definition; a running circuit keeps the version it started with."""

    __tablename__ = "workflow_version"
    __table_args__ = (
        sa.UniqueConstraint("definition_id", "number"),
        sa.Index("ix_workflow_version_tenant_id_definition_id", "tenant_id", "definition_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(sa.ForeignKey("workflow_definition.id"))
    number: Mapped[int] = mapped_column()
    #: the definition in the TOML format (validated, defaults filled), its steps in order
    document: Mapped[dict] = mapped_column(sa.JSON)
    sha256: Mapped[str] = mapped_column(sa.String(64))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    definition: Mapped[WorkflowDefinition] = relationship(back_populates="versions")

    @property
    def steps(self) -> list[dict]:
        return self.document["steps"]

    def step(self, key: str) -> dict:
        return next(step for step in self.steps if step["key"] == key)

    def position_of(self, key: str) -> int | None:
        return next((index for index, step in enumerate(self.steps) if step["key"] == key), None)


@event.listens_for(WorkflowVersion, "before_update")
def _versions_are_immutable(mapper, connection, target) -> None:
    raise ValueError("a workflow version never changes: save a new version")


class WorkflowRun(TenantOwned, Base):
    """A report's circuit, from one submission to its end (completed or refused back to the drafter)."""

    __tablename__ = "workflow_run"
    __table_args__ = (
        sa.Index("ix_workflow_run_tenant_id_report_id", "tenant_id", "report_id"),
        # one running circuit per report, whatever two submissions racing do
        sa.Index(
            "uq_workflow_run_report_running",
            "report_id",
            unique=True,
            sqlite_where=sa.text("state = 'running'"),
            postgresql_where=sa.text("state = 'running'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(sa.ForeignKey("report.id"))
    version_id: Mapped[int] = mapped_column(sa.ForeignKey("workflow_version.id"))
    #: the report's version submitted
    report_version: Mapped[int] = mapped_column()
    state: Mapped[RunState] = enum_column(RunState, default=RunState.RUNNING)
    #: index of the current step in the version's steps
    position: Mapped[int] = mapped_column(default=0)
    #: raised each time a step is entered (again): tasks of an earlier passage are told apart by it
    round: Mapped[int] = mapped_column(default=1)
    started_by_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()
    #: for a report aimed at a sitting, the plan worked back from its legal notice day, as computed at
    #: submission (saas.workflow.planning.Plan.as_json): its steps' latest finish dates and those already late
    plan: Mapped[dict | None] = mapped_column(sa.JSON)

    version: Mapped[WorkflowVersion] = relationship()


class Task(PersonOwned, Base):
    """Something one person must do in a circuit (approve, give an opinion, sign…); readable by that person
    from any collectivity, for the one inbox."""

    __tablename__ = "workflow_task"
    __table_args__ = (
        sa.Index("ix_workflow_task_tenant_id_run_id", "tenant_id", "run_id"),
        sa.Index("ix_workflow_task_person_id_state", "person_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("workflow_run.id"))
    step_key: Mapped[str] = mapped_column(sa.String(63))
    #: the step's index in the version, and the run's round when the task was made
    position: Mapped[int] = mapped_column()
    round: Mapped[int] = mapped_column()
    kind: Mapped[TaskKind] = enum_column(TaskKind, default=TaskKind.STEP)
    state: Mapped[TaskState] = enum_column(TaskState, default=TaskState.OPEN)
    #: for an inserted task: the task (of the person who inserted) that waits for its answer
    returns_to_id: Mapped[int | None] = mapped_column(sa.ForeignKey("workflow_task.id"))
    #: the last day to act, if the step has a deadline
    due_on: Mapped[date | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column()

    run: Mapped[WorkflowRun] = relationship()
    person: Mapped[Person] = relationship()


class TaskAction(TenantOwned, Base):
    """What someone did in a circuit: who, when, for whom, what they said and which documents they saw."""

    __tablename__ = "workflow_task_action"
    __table_args__ = (sa.Index("ix_workflow_task_action_tenant_id_run_id", "tenant_id", "run_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(sa.ForeignKey("workflow_run.id"))
    #: empty for an action on the whole circuit (urgent validation)
    task_id: Mapped[int | None] = mapped_column(sa.ForeignKey("workflow_task.id"))
    #: approve, refuse, send_back, insert, give_opinion, validate_urgently
    kind: Mapped[str] = mapped_column(sa.String(32))
    actor_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    #: the absent person a delegate acted for; empty when people act for themselves
    on_behalf_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("person.id"))
    comment: Mapped[str | None] = mapped_column(sa.Text)
    #: the metadata the step requires (and a committee's opinion), as given
    data: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    #: the current versions of the report's documents when the action was taken, [{"id": …, "sha256": …}]
    documents: Mapped[list] = mapped_column(sa.JSON, default=list)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    actor: Mapped[Person] = relationship(foreign_keys=[actor_id])


class Delegation(PersonOwned, Base):
    """An absent person's tasks in one collectivity may be done by a colleague for a period (both days in)."""

    __tablename__ = "workflow_delegation"
    __table_args__ = (
        sa.Index("ix_workflow_delegation_tenant_id_delegate_id", "tenant_id", "delegate_id"),
        sa.CheckConstraint("ends_on >= starts_on", name="dates_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: who acts instead of ``person_id`` (the absent one)
    delegate_id: Mapped[int] = mapped_column(sa.ForeignKey("person.id"))
    starts_on: Mapped[date] = mapped_column()
    ends_on: Mapped[date] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    person: Mapped[Person] = relationship(foreign_keys="Delegation.person_id")
    delegate: Mapped[Person] = relationship(foreign_keys=[delegate_id])
