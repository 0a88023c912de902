"""What follows a delivery: the job registered for each mail ``purpose``, filled when the jobs modules load."""

from saas.jobs.queues import Job, import_job_modules

#: purpose -> job run (with the mail id, in the mail's tenant) once a mail of that purpose was accepted
AFTER_DELIVERY: dict[str, Job] = {}


def after_delivery(purpose: str):
    """Register a job to run after each delivered mail of ``purpose`` (e.g. recording a proof).

    It is a separate job, released after the delivery commits, so a failure there never un-records a
    sent mail (which would send it again); it must be idempotent like every job.
    """

    def register(registered: Job) -> Job:
        AFTER_DELIVERY[purpose] = registered
        return registered

    return register


def after_delivery_purposes() -> set[str]:
    import_job_modules()
    return set(AFTER_DELIVERY)
