"""Constant-rate HTTP load with ``wrk`` (Debian's package; scripts/system-packages.sh installs it).

wrk is a closed-loop generator: each connection sends its next request when the last one is answered.  The Lua
script below turns it into a paced one: every request claims the next slot of a fixed schedule (``1 / rate``
apart, read from a monotonic clock through LuaJIT's FFI) and waits for it, so the offered load is the rate asked
for as long as the server keeps up; when it does not, the requests behind schedule go at once and the achieved
throughput says so.  Latency is measured by wrk from sending to the last byte received.  At the end the script
prints wrk's whole latency histogram (every microsecond value seen, with its count), so runs can be merged and
any percentile computed exactly in Python.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

SCRIPT = r"""
local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } kb_timespec;
int clock_gettime(int clk_id, kb_timespec *tp);
]]
local clock = ffi.new("kb_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, clock)
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

local paths = {}
for line in io.lines(os.getenv("KB_WRK_PATHS")) do paths[#paths + 1] = line end
local interval = 1000 / tonumber(os.getenv("KB_WRK_RATE"))
local token = os.getenv("KB_WRK_TOKEN") or ""
if token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end
local next_slot = nil
local counter = 0

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

function delay()
  local now = now_ms()
  if next_slot == nil then next_slot = now end
  next_slot = next_slot + interval
  local wait = next_slot - now
  if wait < 0 then return 0 end
  return math.floor(wait)
end

function done(summary, latency, requests)
  local buckets = {}
  for i = 1, #latency do
    local micros, n = latency(i)  -- the i-th latency that occurred, and how often
    buckets[#buckets + 1] = string.format("[%d,%d]", micros, n)
  end
  local e = summary.errors
  io.write(string.format('\nKB_RESULT {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,' ..
                         '"status":%d,"timeout":%d,"histogram":[%s]}\n', summary.requests, summary.duration,
                         e.connect, e.read, e.write, e.status, e.timeout, table.concat(buckets, ",")))
end
"""


@dataclass
class Run:
    """One or more wrk runs merged: answers, failures and the latency histogram (µs → count)."""

    requests: int = 0
    seconds: float = 0.0
    failed: int = 0
    histogram: dict[int, int] = field(default_factory=dict)

    def add(self, other: Run) -> None:
        self.requests += other.requests
        self.seconds += other.seconds
        self.failed += other.failed
        for micros, count in other.histogram.items():
            self.histogram[micros] = self.histogram.get(micros, 0) + count

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, share: float) -> float:
        """The latency in milliseconds below which ``share`` of the answers came."""
        total = sum(self.histogram.values())
        if not total:
            return float("nan")
        wanted, seen = share * total, 0
        for micros in sorted(self.histogram):
            seen += self.histogram[micros]
            if seen >= wanted:
                return micros / 1000
        return max(self.histogram) / 1000


def available() -> bool:
    return shutil.which("wrk") is not None


def run(url: str, paths: list[str], *, rate: float, seconds: float, token: str = "", connections: int = 32,
        timeout: float = 10.0) -> Run:
    """Offer ``rate`` GET requests per second for ``seconds`` to ``url`` + each of ``paths`` in turn."""
    with tempfile.TemporaryDirectory(prefix="kb-wrk-") as folder:
        script, listing = Path(folder) / "paced.lua", Path(folder) / "paths.txt"
        script.write_text(SCRIPT)
        listing.write_text("\n".join(paths) + "\n")
        done = subprocess.run(
            ["wrk", "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", f"--timeout={timeout:g}s",
             "-s", str(script), url],
            env={"KB_WRK_PATHS": str(listing), "KB_WRK_RATE": str(rate), "KB_WRK_TOKEN": token, "PATH": "/usr/bin"},
            capture_output=True, text=True, timeout=seconds + timeout + 60, check=False)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("KB_RESULT ")), None)
    if done.returncode != 0 or line is None:
        raise RuntimeError(f"wrk exited {done.returncode}: {done.stderr.strip() or done.stdout[-2000:]}")
    data = json.loads(line.removeprefix("KB_RESULT "))
    failed = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
    return Run(requests=data["requests"], seconds=data["duration_us"] / 1e6, failed=failed,
               histogram={int(m): int(n) for m, n in data["histogram"]})
