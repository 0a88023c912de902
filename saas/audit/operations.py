"""Writing and verifying the audit hash chains."""

import dataclasses
import hashlib
import json

import sqlalchemy as sa
from flask import has_request_context, request

from saas.audit.models import AuditChainHead, AuditEvent, chain_key
from saas.core.database import SYSTEM, context, current_context, utcnow
from saas.core.extensions import db

GENESIS = "0" * 64


def _digest(event: AuditEvent) -> str:
    fields = {
        "chain": event.chain,
        "seq": event.seq,
        "tenant_id": event.tenant_id,
        "actor_id": event.actor_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "at": event.at.isoformat(),
        "ip": event.ip,
        "data": event.data,
    }
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256((event.prev_hash + canonical).encode()).hexdigest()


def record(
    action: str,
    *,
    tenant_id: int | None = None,
    actor_id: int | None = None,
    obj: object | None = None,
    data: dict | None = None,
) -> AuditEvent:
    """Append an event to its chain (the tenant's, or the platform's when ``tenant_id`` is None).

    Platform events (logins, failed logins…) are appended from any context, but row-level security lets
    only the system read them, and the INSERT reads its row back (RETURNING id): so they are appended as
    the system, after the caller's own pending rows were flushed under the caller's context.
    """
    if tenant_id is None and not current_context(db.session).system:
        db.session.flush()
        with context(db.session, SYSTEM):
            return _append(action, tenant_id, actor_id, obj, data)
    return _append(action, tenant_id, actor_id, obj, data)


def _append(action: str, tenant_id: int | None, actor_id: int | None, obj: object | None, data: dict | None):
    chain = chain_key(tenant_id)
    head = db.session.execute(
        sa.select(AuditChainHead).where(AuditChainHead.chain == chain).with_for_update()
    ).scalar_one_or_none()
    if head is None:
        head = AuditChainHead(chain=chain, seq=0, hash=GENESIS)
        db.session.add(head)
    event = AuditEvent(
        chain=chain,
        seq=head.seq + 1,
        tenant_id=tenant_id,
        actor_id=actor_id,
        action=action,
        object_type=type(obj).__name__ if obj is not None else None,
        object_id=str(obj.id) if obj is not None else None,
        ip=request.remote_addr if has_request_context() else None,
        data=json.dumps(data or {}, sort_keys=True, ensure_ascii=False, default=str),
        prev_hash=head.hash,
        at=utcnow(),
    )
    event.hash = _digest(event)
    head.seq, head.hash = event.seq, event.hash
    db.session.add(event)
    db.session.flush()
    return event


@dataclasses.dataclass
class ChainReport:
    chain: str
    events: int
    #: None when intact; otherwise what is wrong, naming the first bad event
    problem: str | None = None

    @property
    def intact(self) -> bool:
        return self.problem is None


def verify_chain(chain: str) -> ChainReport:
    """Walk one chain in sequence order and name the first altered, missing or reordered event."""
    with context(db.session, SYSTEM):
        head = db.session.get(AuditChainHead, chain)
        events = db.session.execute(
            sa.select(AuditEvent).where(AuditEvent.chain == chain).order_by(AuditEvent.seq)
        ).scalars()
        #: the report states how many events the chain holds, even when the walk stops at the first problem
        total = db.session.execute(
            sa.select(sa.func.count()).select_from(AuditEvent).where(AuditEvent.chain == chain)
        ).scalar_one()
        prev_hash, expected_seq, count = GENESIS, 1, 0
        for event in events:
            count += 1
            if event.seq != expected_seq:
                return ChainReport(
                    chain, total, f"event #{expected_seq} is missing (found #{event.seq} next, id {event.id})"
                )
            if event.prev_hash != prev_hash:
                return ChainReport(
                    chain,
                    total,
                    f"event #{event.seq} (id {event.id}) does not follow event #{event.seq - 1}: reordered or replaced",
                )
            if _digest(event) != event.hash:
                return ChainReport(chain, total, f"event #{event.seq} (id {event.id}) was altered")
            prev_hash, expected_seq = event.hash, expected_seq + 1
        if head is not None and head.seq != count:
            return ChainReport(chain, count, f"events #{count + 1} to #{head.seq} are missing at the end of the chain")
        if head is not None and head.hash != prev_hash:
            return ChainReport(chain, count, f"event #{count} does not match the chain head")
        return ChainReport(chain, count)


def verify_all() -> list[ChainReport]:
    with context(db.session, SYSTEM):
        chains = (
            db.session.execute(sa.select(AuditChainHead.chain).union(sa.select(AuditEvent.chain)).order_by("chain"))
            .scalars()
            .all()
        )
    return [verify_chain(chain) for chain in chains]
