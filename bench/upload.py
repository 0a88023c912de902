"""Benchmark 2: a 500 MB PDF uploaded through the documents API with flat server memory.

POST /api/v1/tenants/<slug>/items/<id>/documents (multipart, streamed from disk by the client). The
default upload limit is 150 MB (MAX_REQUEST_MB), so the server runs with QUORUM_MAX_REQUEST_MB=600 for
this benchmark only. Measured on the server process (``quorum serve``): RSS after a 1 MB warm-up upload,
then its peak (VmHWM, reset just before the big upload through /proc/<pid>/clear_refs) and the wall time;
a sampler also reads the peak of the PDF-check child (pdf_sandbox.py) while it lives.
"""

import os
import sys
import threading
import time
from pathlib import Path

from bench.common import MIB, children, machine, proc_status, reset_peak, server, temporary_folder, upload
from bench.pdfgen import write_pdf

SIZE_MB = int(os.environ.get("BENCH_UPLOAD_MB", "500"))  # smaller only to try the script quickly


class Sampler(threading.Thread):
    """Every 10 ms: the server's RSS, and the highest VmHWM seen for any child process (the PDF check)."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.stop = pid, threading.Event()
        self.server_max = 0
        self.max_through_check = 0  # server RSS up to the last sample where the PDF-check child was alive
        self.child_peaks: dict[int, int] = {}

    def run(self):
        while not self.stop.is_set():
            try:
                self.server_max = max(self.server_max, proc_status(self.pid).get("VmRSS", 0))
            except OSError:
                pass
            kids = children(self.pid)
            if kids or not self.child_peaks:
                self.max_through_check = self.server_max
            for child in kids:
                try:
                    peak = proc_status(child).get("VmHWM", 0)  # absent once the child is a zombie
                except OSError:
                    continue
                self.child_peaks[child] = max(self.child_peaks.get(child, 0), peak)
            time.sleep(0.01)


def mib(value: int) -> str:
    return f"{value / MIB:.1f} Mio"


def main() -> int:
    print(f"Machine: {machine()}")
    with temporary_folder("quorum-bench-upload-") as folder:
        tmp = Path(folder)
        small, big = tmp / "warm-up.pdf", tmp / "big.pdf"
        write_pdf(small, MIB, seed=7)
        size = write_pdf(big, SIZE_MB * MIB, seed=8)
        with server(tmp / "local", {"QUORUM_MAX_REQUEST_MB": "600"}) as (process, port, seeded, _env):
            upload(port, seeded, small, "Échauffement")
            before = proc_status(process.pid)["VmRSS"]
            peak_was_reset = reset_peak(process.pid)
            sampler = Sampler(process.pid)
            sampler.start()
            started = time.perf_counter()
            document = upload(port, seeded, big, "Grande annexe")
            wall = time.perf_counter() - started
            sampler.stop.set()
            sampler.join()
            after = proc_status(process.pid)
            peak = after["VmHWM"] if peak_was_reset else sampler.server_max
            stored = document["current_version"]
            leftovers = [p for p in (tmp / "local" / "instance" / "uploads").glob("**/*") if p.is_file()]
            spooled = [p for p in tmp.glob("tmp*")]
        print(f"Upload of {size:,} bytes (generated PDF, {size / MIB:.0f} Mio), QUORUM_MAX_REQUEST_MB=600")
        print("| measure | value |")
        print("|---|---|")
        print(f"| file size | {size:,} o ({mib(size)}) |")
        print(f"| wall time (request sent → 201 received) | {wall:.1f} s ({size / MIB / wall:.0f} Mio/s) |")
        print(f"| server RSS before (after a 1 Mo warm-up upload) | {mib(before)} |")
        source = "VmHWM reset before the upload" if peak_was_reset else "sampled every 10 ms"
        print(f"| server peak RSS during the upload ({source}) | {mib(peak)} |")
        print(
            f"| server RSS max until the PDF check ended (receive, copy, check; sampled) | "
            f"{mib(sampler.max_through_check)} (+{mib(sampler.max_through_check - before)}) |"
        )
        print(f"| server peak growth | {mib(peak - before)} ({(peak - before) / size * 100:.2f} % of the file) |")
        print(
            f"| server RSS after (anonymous / file-backed) | {mib(after['VmRSS'])} ({mib(after['RssAnon'])} / "
            f"{mib(after['RssFile'])}) |"
        )
        if sampler.child_peaks:
            print(f"| PDF-check child peak RSS (VmHWM, sampled) | {mib(max(sampler.child_peaks.values()))} |")
        else:
            print("| PDF-check child peak RSS | not caught by the 10 ms sampler |")
        print(f"| stored version size / SHA-256 | {stored.get('size', '?')} / {str(stored.get('sha256', '?'))[:16]}… |")
        print(f"| files left in instance/uploads, spooled temp files | {len(leftovers)}, {len(spooled)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
