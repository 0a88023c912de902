"""Child process that parses an untrusted PDF under resource limits (run by saas.documents.intake.check).

It is started as a plain script (`python -I pdf_sandbox.py …`) so that it imports only the standard library
and pikepdf: no Flask app, no database connection, nothing worth attacking. It sets its own rlimits right
after importing pikepdf and before touching the file (preexec_fn is unsafe in threaded web servers), then
prints exactly one JSON line on stdout:

    {"outcome": "ok", "pages": …, "version": "1.7", "removed": {kind: count}, "pid": …}
    {"outcome": "encrypted" | "damaged" | "too_complex" | "not_clean_after_save", "detail": "…"}

Anything else (death by signal, no line) is judged by the parent. Removal kinds are stable codes; the
parent owns the French labels.
"""

import argparse
import json
import os
import resource
import signal
import sys

import pikepdf
from pikepdf import Array, Dictionary, Name

#: Action types that run code, start programs, send data out or reach embedded files.
DANGEROUS_ACTIONS = {
    "/JavaScript": "javascript_action",
    "/Launch": "launch_action",
    "/SubmitForm": "submit_form_action",
    "/ImportData": "import_data_action",
    "/Rendition": "media_action",
    "/RichMediaExecute": "media_action",
    "/GoToE": "embedded_goto_action",
    "/GoToR": "remote_goto_action",
    "/Sound": "media_action",
    "/Movie": "media_action",
}
#: The only link targets kept (URI actions); javascript:, file:, data:, UNC paths, relative links… are removed.
SAFE_URI_SCHEMES = {"http", "https", "mailto"}
#: Ignored by browsers and readers before a scheme (and tabs and line ends inside it), so ignored here too.
URI_IGNORED_LEAD = "".join(map(chr, range(0x21)))
#: Annotation subtypes removed whole (their purpose is to carry a file or active media).
REMOVED_ANNOTATIONS = {"/FileAttachment": "file_attachment", "/RichMedia": "rich_media"}
#: Depth guard for action chains, outline and field trees (cycles are also tracked by object id).
MAX_DEPTH = 64
MAX_WARNINGS = 20  # problems quoted in the log detail
#: A failure this close to the address-space cap is blamed on the cap.
MEMORY_MARGIN = 16 * 1024 * 1024


def set_limits(memory_bytes: int, cpu_seconds: int, output_bytes: int) -> None:
    """Cap address space, CPU time and written file size; no core dumps, lower priority."""
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    # With SIGXFSZ ignored, a write past the cap fails with EFBIG, which qpdf reports as an error.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (output_bytes, output_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.nice(10)


def memory_exhausted(detail: str, memory_bytes: int) -> bool:
    """Whether a failure may come from the address-space cap rather than from the file."""
    if "bad_alloc" in detail:
        return True
    with open("/proc/self/status") as status:
        peak = next(line for line in status if line.startswith("VmPeak:"))
    return int(peak.split()[1]) * 1024 >= memory_bytes - MEMORY_MARGIN


def _key(obj) -> tuple:
    return obj.objgen if obj.is_indirect else ("direct", id(obj))


def _dict(obj, key: str):
    """The dictionary at obj[key], or None when absent or of another type (malformed files)."""
    value = obj.get(key) if isinstance(obj, Dictionary) else None
    return value if isinstance(value, Dictionary) else None


def safe_uri(value) -> bool:
    """Whether a URI action's target is a web or e-mail address (the scheme read as a browser would)."""
    if not isinstance(value, pikepdf.String):
        return False
    text = bytes(value).decode("latin-1").translate({9: None, 10: None, 13: None}).lstrip(URI_IGNORED_LEAD)
    scheme, colon, _ = text.partition(":")
    return bool(colon) and scheme.lower() in SAFE_URI_SCHEMES


def dangerous_kinds(action) -> list[str]:
    """Kinds of the dangerous actions in an action and its /Next chain (dict or array of dicts)."""
    found, todo, seen = [], [(action, 0)], set()
    while todo:
        item, depth = todo.pop()
        if isinstance(item, Array):
            todo.extend((sub, depth + 1) for sub in item if depth < MAX_DEPTH)
            continue
        if not isinstance(item, Dictionary) or _key(item) in seen:
            continue
        seen.add(_key(item))
        action_type = str(item.get("/S", ""))
        kind = DANGEROUS_ACTIONS.get(action_type)
        if kind:
            found.append(kind)
        elif action_type == "/URI" and not safe_uri(item.get("/URI")):
            found.append("unsafe_uri_action")
        if "/Next" in item and depth < MAX_DEPTH:
            todo.append((item.Next, depth + 1))
    return found


class Scanner:
    """Finds active content; removes it when `remove` is true. `found` counts what was (or would be) removed."""

    def __init__(self, pdf: pikepdf.Pdf, remove: bool):
        self.pdf, self.remove, self.found = pdf, remove, {}

    def hit(self, kind: str, count: int = 1) -> None:
        self.found[kind] = self.found.get(kind, 0) + count

    def drop(self, obj, key: str, kind: str) -> None:
        if key in obj:
            self.hit(kind)
            if self.remove:
                del obj[key]

    def drop_dangerous_action(self, obj, key: str = "/A") -> None:
        kinds = dangerous_kinds(obj.get(key)) if key in obj else []
        for kind in kinds:
            self.hit(kind)
        if kinds and self.remove:
            del obj[key]

    def run(self) -> dict[str, int]:
        root = self.pdf.Root
        self.catalog(root)
        for page in self.pdf.pages:
            self.page(page.obj)
        self.outlines(_dict(root, "/Outlines"))
        acroform = _dict(root, "/AcroForm")
        if acroform is not None:
            self.drop(acroform, "/XFA", "xfa")
            if "xfa" in self.found and self.remove and "/NeedsRendering" in root:
                del root["/NeedsRendering"]
            fields = acroform.get("/Fields")
            if isinstance(fields, Array):
                self.fields(fields)
        return self.found

    def catalog(self, root) -> None:
        names = _dict(root, "/Names")
        if names is not None:
            self.drop(names, "/JavaScript", "document_javascript")
            self.drop(names, "/EmbeddedFiles", "embedded_files")
        if "embedded_files" in self.found and "/Collection" in root and self.remove:
            del root["/Collection"]  # a portfolio without its files is only an empty frame
        self.drop(root, "/AF", "embedded_files")
        self.drop(root, "/AA", "additional_actions")
        # A destination (array, name or string) or a plain GoTo only chooses the first page shown: kept, so
        # the many generators that write one do not force a rewrite. Any other action is removed.
        open_action = root.get("/OpenAction")
        if open_action is None or isinstance(open_action, (Array, Name, pikepdf.String)):
            return
        if not (isinstance(open_action, Dictionary) and self.is_plain_goto(open_action)):
            self.drop(root, "/OpenAction", "open_action")

    @staticmethod
    def is_plain_goto(action) -> bool:
        return str(action.get("/S", "")) == "/GoTo" and "/Next" not in action

    def page(self, page) -> None:
        self.drop(page, "/AA", "additional_actions")
        self.drop(page, "/AF", "embedded_files")
        annots = page.get("/Annots")
        if not isinstance(annots, Array):
            return
        kept, changed = [], False
        for annot in annots:
            if not isinstance(annot, Dictionary):
                kept.append(annot)
                continue
            removed_kind = REMOVED_ANNOTATIONS.get(str(annot.get("/Subtype", "")))
            if removed_kind:
                self.hit(removed_kind)
                changed = True
                continue
            self.drop(annot, "/AA", "additional_actions")
            self.drop_dangerous_action(annot)
            self.drop_dangerous_action(annot, "/PA")  # a link's previous (URI) action, still read by some readers
            kept.append(annot)
        if changed and self.remove:
            page.Annots = Array(kept)

    def outlines(self, outlines) -> None:
        if outlines is None:
            return
        todo, seen = [(outlines.get("/First"), 0)], set()
        while todo:
            item, depth = todo.pop()
            if not isinstance(item, Dictionary) or _key(item) in seen or depth > MAX_DEPTH:
                continue
            seen.add(_key(item))
            self.drop(item, "/AA", "additional_actions")
            self.drop_dangerous_action(item)
            todo.append((item.get("/Next"), depth))
            todo.append((item.get("/First"), depth + 1))

    def fields(self, fields) -> None:
        todo, seen = [(field, 0) for field in fields], set()
        while todo:
            field, depth = todo.pop()
            if not isinstance(field, Dictionary) or _key(field) in seen or depth > MAX_DEPTH:
                continue
            seen.add(_key(field))
            self.drop(field, "/AA", "additional_actions")
            self.drop_dangerous_action(field)
            kids = field.get("/Kids")
            if isinstance(kids, Array):
                todo.extend((kid, depth + 1) for kid in kids)


class DiscardingParser(pikepdf.StreamParser):
    def handle_object(self, *_args):
        pass

    def handle_eof(self):
        pass


def syntax_problems(pdf: pikepdf.Pdf) -> list[str]:
    """What `qpdf --check` finds, minus its linearization-hint warnings (common, harmless, unrelated to content).

    Every stream is decoded to a discarding pipeline (flat memory; a decompression bomb only burns CPU, which
    RLIMIT_CPU caps) and every page's content stream is tokenized.
    """
    problems = []
    pdf._check_document_structures()
    if len(pdf.pages) == 0:
        problems.append("file does not contain any pages")
    pdf._decode_all_streams_and_discard(None)
    parser = DiscardingParser()
    for number, page in enumerate(pdf.pages, start=1):
        try:
            page.parse_contents(parser)
        except pikepdf.PdfError as error:
            problems.append(f"page {number}: {error}")
    return pdf.get_warnings() + problems


#: more runs than this and the sizes are left out (the verdict line stays small; readers fall back on the file)
MAX_SIZE_RUNS = 1000


def page_size_runs(pdf: pikepdf.Pdf) -> list[list[float]] | None:
    """[[count, width, height], …]: the CropBox size in points of the pages in order, consecutive equal
    sizes counted once (a dossier is mostly A4). Cleaning never changes them."""
    runs: list[list[float]] = []
    for page in pdf.pages:
        x1, y1, x2, y2 = (float(value) for value in page.cropbox)
        size = [round(abs(x2 - x1), 3), round(abs(y2 - y1), 3)]
        if runs and runs[-1][1:] == size:
            runs[-1][0] += 1
        elif len(runs) == MAX_SIZE_RUNS:
            return None
        else:
            runs.append([1, *size])
    return runs


def check(source: str, output: str) -> dict:
    """Open without repair (a repaired file is qpdf's guess, not the author's document), check, clean."""
    try:
        pdf = pikepdf.open(source, access_mode=pikepdf.AccessMode.stream, attempt_recovery=False)
    except pikepdf.PasswordError:
        return {"outcome": "encrypted", "detail": "password required"}
    with pdf:
        if pdf.is_encrypted:
            return {"outcome": "encrypted", "detail": "encrypted (empty user password)"}
        problems = syntax_problems(pdf)
        if problems:
            return {"outcome": "damaged", "detail": "; ".join(problems[:MAX_WARNINGS])}
        removed = Scanner(pdf, remove=True).run()
        result = {
            "outcome": "ok",
            "pages": len(pdf.pages),
            "page_sizes": page_size_runs(pdf),
            "version": pdf.pdf_version,
            "removed": removed,
        }
        if removed:
            pdf.save(output, linearize=True, deterministic_id=True)
    if removed:
        with pikepdf.open(output, access_mode=pikepdf.AccessMode.stream, attempt_recovery=False) as cleaned:
            left = Scanner(cleaned, remove=False).run()
            if left or cleaned.get_warnings():
                return {"outcome": "not_clean_after_save", "detail": json.dumps(left)}
            result["version"] = cleaned.pdf_version
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--memory", type=int, required=True)
    parser.add_argument("--cpu", type=int, required=True)
    parser.add_argument("--output-limit", type=int, required=True)
    parser.add_argument("source")
    parser.add_argument("output")
    args = parser.parse_args()
    set_limits(args.memory, args.cpu, args.output_limit)
    try:
        result = check(args.source, args.output)
    except MemoryError:
        result = {"outcome": "too_complex", "detail": "memory limit"}
    except pikepdf.PdfError as error:
        text = str(error)
        result = {"outcome": "too_complex" if "File too large" in text else "damaged", "detail": text[:500]}
    if result["outcome"] == "damaged" and memory_exhausted(result["detail"], args.memory):
        # qpdf sometimes turns a failed allocation into a parse error ("unable to find page tree").
        result["outcome"] = "too_complex"
    result["pid"] = os.getpid()
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
