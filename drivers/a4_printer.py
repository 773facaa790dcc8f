"""A4 printer: documents as PDF, to a CUPS queue or into a directory.

- ``cups://QUEUE``: the PDF goes to CUPS with ``lp -d QUEUE -n COPIES -o media=A4``
  (CUPS converts it for the printer, whatever its language); the job id is read from
  lp's answer, and ``lpstat -l -p QUEUE`` gives the state (idle, printing, stopped)
  and the printer's alerts (media-empty, media-jam, door-open ...). Without the ``lp``
  command (package cups-client) every call fails with no_hardware and says so.
- ``file:///dir/``: the PDF is written into the directory (atomically: a temporary
  name, then a rename, so a program watching the directory never sees half a file).
  The demo, the tests and halls that hand PDFs to another system use this.

drivers.connection parses the byte transports (serial, tcp, usb, file); ``cups://``
names a queue, not a transport, so it is parsed here.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from printing.document import Document

from .base import DeviceBase, DeviceState, DeviceStatus, StatusCallback
from .connection import Connection
from .device import Capability
from .errors import DeviceCondition, DeviceError, DeviceErrorCode
from .receipt_printer import PrinterStatus

_QUEUE = re.compile(r"^[A-Za-z0-9_.@+\-]{1,127}$")
_JOB_ID = re.compile(r"request id is (\S+)")
MAX_COPIES = 99


@dataclass(frozen=True)
class CupsConnection(Connection):
    """`cups://QUEUE`; `path` holds the queue name."""

    def __str__(self) -> str:
        return f"cups://{self.path}"


@dataclass(frozen=True)
class A4Job:
    """A submitted job: the CUPS job id ("QUEUE-42") or the file's name, and where the
    PDF is (the written file; for CUPS the PDF is spooled and no longer ours)."""

    job_id: str
    path: Path | None
    copies: int


def lp_command(queue: str, path: str | os.PathLike[str], copies: int = 1, *,
               title: str | None = None, lp: str = "lp") -> list[str]:
    """The argument list that submits `path` to `queue` (no shell: names are data)."""
    if not _QUEUE.match(queue):
        raise ValueError(f"not a CUPS queue name: {queue!r}")
    if not isinstance(copies, int) or isinstance(copies, bool) or not 1 <= copies <= MAX_COPIES:
        raise ValueError(f"copies must be 1..{MAX_COPIES}, not {copies!r}")
    cmd = [lp, "-d", queue, "-n", str(copies), "-o", "media=A4"]
    if title:
        cmd += ["-t", title]
    return cmd + ["--", os.fspath(path)]


def parse_lp_job_id(output: str) -> str | None:
    """The job id in lp's answer ("request id is HP-42 (1 file(s))" -> "HP-42")."""
    match = _JOB_ID.search(output)
    return match.group(1) if match else None


def lp_error(stderr: str) -> DeviceError:
    """What an lp / lpstat failure means, from its message (CUPS 2.x wording)."""
    text = stderr.strip() or "no message"
    low = text.lower()
    if "does not exist" in low or "invalid destination" in low or "unknown destination" in low:
        return DeviceError(DeviceErrorCode.NO_HARDWARE, f"CUPS has no such printer: {text}")
    if "not accepting" in low:
        return DeviceError(DeviceErrorCode.OFFLINE, f"the printer is not accepting jobs: {text}")
    if "unable to connect" in low or "connection refused" in low or "scheduler is not running" in low:
        return DeviceError(DeviceErrorCode.OFFLINE, f"the CUPS scheduler is not running: {text}")
    return DeviceError(DeviceErrorCode.FAILURE, f"CUPS refused the job: {text}")


_ALERTS: tuple[tuple[str, DeviceCondition | None, str], ...] = (
    ("media-empty", DeviceCondition.PAPER_EMPTY, "out of paper"),
    ("media-needed", DeviceCondition.PAPER_EMPTY, "out of paper"),
    ("media-jam", DeviceCondition.JAM, "paper jam"),
    ("door-open", DeviceCondition.COVER_OPEN, "a door or cover is open"),
    ("cover-open", DeviceCondition.COVER_OPEN, "a door or cover is open"),
    ("toner-empty", None, "out of toner"),
    ("marker-supply-empty", None, "out of toner or ink"),
    ("offline", None, "the printer is off line"),
)


def parse_lpstat(output: str) -> PrinterStatus:
    """`lpstat -l -p QUEUE` output -> status. Enabled and idle or printing with no
    error alert is ready; "disabled" (stopped) or an error alert is not."""
    first = next((line for line in output.splitlines() if line.startswith("printer ")), "")
    if not first:
        return PrinterStatus(False, "unknown", False, DeviceErrorCode.FAILURE,
                             message=f"cannot read lpstat's answer: {output.strip()[:200]!r}")
    alerts = ""
    for line in output.splitlines():
        if line.strip().lower().startswith("alerts:"):
            alerts = line.split(":", 1)[1].lower()
    for key, condition, message in _ALERTS:
        if key in alerts:
            code = DeviceErrorCode.OFFLINE if key == "offline" else DeviceErrorCode.FAILURE
            paper = "empty" if condition is DeviceCondition.PAPER_EMPTY else "unknown"
            return PrinterStatus(key != "offline", paper,  # type: ignore[arg-type]
                                 condition is DeviceCondition.COVER_OPEN, code, condition, message)
    if " disabled since" in first:
        return PrinterStatus(False, "unknown", False, DeviceErrorCode.OFFLINE,
                             message="the CUPS queue is stopped (disabled)")
    if " is idle" in first or " now printing" in first:
        return PrinterStatus(True, "ok", False, None,
                             message="printing" if " now printing" in first else "ready")
    return PrinterStatus(False, "unknown", False, DeviceErrorCode.FAILURE,
                         message=f"unexpected lpstat answer: {first[:200]!r}")


class A4Printer(DeviceBase):
    """PDF documents to ``cups://QUEUE`` or ``file:///dir/``."""

    kind = "a4_printer"
    capabilities = frozenset({Capability.PRINT_PDF})

    def __init__(
        self,
        connection: str,
        *,
        timeout_s: float = 30.0,
        on_status: StatusCallback | None = None,
        name: str | None = None,
        lock_timeout_s: float = 120.0,
    ) -> None:
        text = connection.strip() if isinstance(connection, str) else connection
        queue: str | None = None
        if isinstance(text, str) and text.lower().startswith("cups://"):
            queue = text[len("cups://"):].rstrip("/")
            if not _QUEUE.match(queue):
                raise DeviceError(DeviceErrorCode.ILLEGAL, f"not a CUPS queue name: {queue!r}")
        # The base parses byte transports only; a file:// stand-in keeps its checks,
        # then the CUPS queue replaces it.
        super().__init__("file:///dev/null" if queue is not None else connection,
                         name=name, on_status=on_status)
        if queue is not None:
            self.connection = CupsConnection(scheme="cups", path=queue)
        elif self.connection.scheme != "file":
            raise DeviceError(DeviceErrorCode.ILLEGAL,
                              f"an A4 printer is cups://QUEUE or file:///dir/, not {connection!r}")
        self.timeout_s = timeout_s
        self.lock_timeout_s = lock_timeout_s
        self._lock = threading.Lock()
        self._seq = 0

    @property
    def queue(self) -> str | None:
        return self.connection.path if self.connection.scheme == "cups" else None

    # -- public -----------------------------------------------------------------------

    def print_document(self, doc: Document, *, copies: int = 1, title: str | None = None) -> A4Job:
        """Render `doc` to PDF (needs a QGuiApplication, see printing.pdf_render) and
        print it. Raises DeviceError (ILLEGAL for a document that cannot be rendered)."""
        from printing.pdf_render import render_pdf

        if not 1 <= copies <= MAX_COPIES:
            raise DeviceError(DeviceErrorCode.ILLEGAL, f"copies must be 1..{MAX_COPIES}")
        with tempfile.TemporaryDirectory(prefix="kiosk-a4-") as tmp:
            pdf = Path(tmp) / "document.pdf"
            try:
                render_pdf(doc, pdf, title=title)
            except (ValueError, TypeError, OSError) as exc:
                self._count("jobs_failed")
                raise DeviceError(DeviceErrorCode.ILLEGAL, f"document cannot be rendered: {exc}") from exc
            return self.print_pdf(pdf, copies=copies, title=title)

    def print_pdf(self, path: str | os.PathLike[str], *, copies: int = 1,
                  title: str | None = None) -> A4Job:
        """Send an existing PDF. For file:// the copies are one file (the receiving
        system prints them); for CUPS, lp's -n."""
        if not Path(path).is_file():
            self._count("jobs_failed")
            raise DeviceError(DeviceErrorCode.ILLEGAL, f"no PDF to print at {path}")
        if not self._lock.acquire(timeout=self.lock_timeout_s):
            raise DeviceError(DeviceErrorCode.BUSY, "another job holds the printer")
        try:
            self._set_status(DeviceState.BUSY)
            job = self._submit_cups(Path(path), copies, title) if self.queue is not None \
                else self._write_file(Path(path), copies)
        except DeviceError as exc:
            self._count("jobs_failed")
            self._fail(exc)
            raise
        finally:
            self._lock.release()
        self._count("jobs")
        self._set_status(DeviceState.IDLE)
        return job

    def status(self) -> PrinterStatus:
        """The queue's state and alerts (CUPS) or whether the directory is writable."""
        if self.queue is None:
            directory = self.connection.path or "/"
            if not os.path.isdir(directory):
                status = PrinterStatus(False, "unknown", False, DeviceErrorCode.NO_HARDWARE,
                                       message=f"{directory} is not a directory")
            elif not os.access(directory, os.W_OK):
                status = PrinterStatus(False, "unknown", False, DeviceErrorCode.OFFLINE,
                                       message=f"{directory} is not writable")
            else:  # a directory is always "loaded with paper"
                status = PrinterStatus(True, "ok", False, None, message="ready (PDF files)")
        else:
            try:
                out = self._run(["lpstat", "-l", "-p", self.queue])
                status = parse_lpstat(out)
            except DeviceError as exc:
                status = PrinterStatus(False, "unknown", False, exc.code, exc.extended, exc.message)
        self._report(status)
        return status

    def health_check(self) -> PrinterStatus:
        return self.status()

    # -- the Device protocol: every job is its own lp call or file -----------------

    def open(self) -> None:
        """Nothing to take: each job is one `lp` call or one file."""

    def close(self) -> None:
        self._set_status(DeviceState.CLOSED)

    def check(self, timeout_s: float) -> DeviceStatus:
        """The queue's state (lpstat, within the driver's `timeout_s`) or whether the
        directory is writable; while a job is being submitted, BUSY stands."""
        if self._lock.locked():
            return self.last_status
        self.status()
        return self.last_status

    # -- internals --------------------------------------------------------------------

    def _report(self, status: PrinterStatus) -> None:
        if status.error is None:
            self._set_status(DeviceState.IDLE)
        else:
            self._fail(DeviceError(status.error, status.message, status.condition))

    def _fail(self, exc: DeviceError) -> None:
        offline = exc.code in (DeviceErrorCode.OFFLINE, DeviceErrorCode.TIMEOUT,
                               DeviceErrorCode.NO_HARDWARE)
        self._set_status(DeviceState.OFFLINE if offline else DeviceState.ERROR, exc.code,
                         exc.extended, exc.message)

    def _run(self, cmd: list[str]) -> str:
        """Run a CUPS client command; DeviceError unless it succeeds. stdout on success."""
        program = shutil.which(cmd[0])
        if program is None:
            raise DeviceError(DeviceErrorCode.NO_HARDWARE,
                              f"the {cmd[0]} command is missing: install the CUPS client "
                              f"(apt-get install cups-client) to print on A4")
        try:
            done = subprocess.run([program, *cmd[1:]], capture_output=True, text=True,
                                  timeout=self.timeout_s, check=False,
                                  env={**os.environ, "LC_ALL": "C"})  # English messages to parse
        except subprocess.TimeoutExpired as exc:
            raise DeviceError(DeviceErrorCode.TIMEOUT,
                              f"{cmd[0]} did not finish within {self.timeout_s:g} s") from exc
        except OSError as exc:
            raise DeviceError(DeviceErrorCode.NO_HARDWARE, f"cannot run {cmd[0]}: {exc}") from exc
        if done.returncode != 0:
            raise lp_error(done.stderr or done.stdout)
        return done.stdout

    def _submit_cups(self, path: Path, copies: int, title: str | None) -> A4Job:
        try:
            cmd = lp_command(self.queue or "", path, copies, title=title)
        except ValueError as exc:
            raise DeviceError(DeviceErrorCode.ILLEGAL, str(exc)) from exc
        out = self._run(cmd)
        job_id = parse_lp_job_id(out)
        if job_id is None:
            raise DeviceError(DeviceErrorCode.FAILURE, f"lp gave no job id: {out.strip()[:200]!r}")
        return A4Job(job_id, None, copies)

    def _write_file(self, path: Path, copies: int) -> A4Job:
        directory = Path(self.connection.path or "/")
        if not directory.is_dir():
            raise DeviceError(DeviceErrorCode.NO_HARDWARE, f"{directory} is not a directory")
        self._seq += 1
        name = f"{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}-{self._seq:04d}"
        if copies > 1:
            name += f"-x{copies}"
        target = directory / f"{name}.pdf"
        try:
            fd, tmp_name = tempfile.mkstemp(prefix=".", suffix=".part", dir=directory)
            try:
                with os.fdopen(fd, "wb") as out, open(path, "rb") as src:
                    shutil.copyfileobj(src, out)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp_name, target)
            except BaseException:
                if os.path.exists(tmp_name):
                    os.unlink(tmp_name)
                raise
        except OSError as exc:
            raise DeviceError(DeviceErrorCode.OFFLINE, f"cannot write into {directory}: {exc}") from exc
        self._count("bytes_out", target.stat().st_size)
        return A4Job(target.name, target, copies)
