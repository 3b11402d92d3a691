#!/usr/bin/env python3
"""Summarises a dotnet-trace speedscope file (dotnet-sampled-thread-time) of the worker: where its busy samples go.

Usage: scripts/profile-summary.py TRACE.speedscope.json [TOP]

A sample counts as idle when its stack waits (a thread-pool or timer wait, epoll, a channel or socket read that has
nothing to do); the rest are busy. Prints the busy share of the top frames, inclusive (the frame is anywhere on the
stack) and by namespace of the deepest managed frame (self). Native threads (librdkafka's) are not sampled.
"""
import collections
import json
import sys

IDLE_MARKERS = (
    "LowLevelLifoSemaphore.WaitForSignal", "LowLevelLifoSemaphore.Wait", "WaitHandle.WaitOne", "Monitor.Wait",
    "Thread.Sleep", "SocketAsyncEngine.EventLoop", "WaitSubsystem", "LowLevelMonitor.Wait", "TimerQueue.TimerThread",
    "Interop+Sys.WaitForSocketEvents", "ManualResetEventSlim.Wait", "SemaphoreSlim.Wait", "Task.SpinThenBlockingWait",
    "PortableThreadPool+GateThread", "Interop+Sys.Read(", "Consumer`2.Consume", "Librdkafka.consumer_poll",
    "Librdkafka.poll", "Producer`2.PollLoop", "ConsoleStream.Read", "Interop+Sys.Poll",
)


def stacks(doc):
    """(frame indices root first, weight) for each sample; dotnet-trace writes "evented" profiles (open/close events,
    time between events is the weight of the stack then open), other tools "sampled" ones."""
    for profile in doc["profiles"]:
        if profile.get("type") == "sampled":
            weights = profile.get("weights") or [1] * len(profile["samples"])
            yield from zip(profile["samples"], weights)
            continue
        open_frames, last = [], None
        for event in profile["events"]:
            if last is not None and open_frames and event["at"] > last:
                yield tuple(open_frames), event["at"] - last
            last = event["at"]
            if event["type"] == "O":
                open_frames.append(event["frame"])
            elif open_frames and open_frames[-1] == event["frame"]:
                open_frames.pop()
            elif event["frame"] in open_frames:
                del open_frames[len(open_frames) - 1 - open_frames[::-1].index(event["frame"])]


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 30
    doc = json.load(open(path))
    frames = [f["name"] for f in doc["shared"]["frames"]]
    inclusive = collections.Counter()
    self_ns = collections.Counter()
    busy = idle = 0
    for stack, weight in stacks(doc):
        if True:
            names = [frames[i] for i in stack]
            if any(marker in name for name in names for marker in IDLE_MARKERS):
                idle += weight
                continue
            busy += weight
            for name in set(names):
                inclusive[name] += weight
            managed = [n for n in names if "!" in n and "UNMANAGED_CODE_TIME" not in n]
            leaf = managed[-1] if managed else names[-1]
            module, _, method = leaf.partition("!")
            self_ns[module + "!" + ".".join(method.split("(")[0].split(".")[:-2])] += weight
    print(f"samples: busy {busy:.0f}, idle {idle:.0f} (busy share {busy / max(busy + idle, 1):.1%})")
    print("\ninclusive (share of busy samples):")
    for name, weight in inclusive.most_common(top):
        print(f"  {weight / busy:6.1%}  {name[:150]}")
    print("\nself, by the deepest managed frame's namespace:")
    for name, weight in self_ns.most_common(top):
        print(f"  {weight / busy:6.1%}  {name[:150]}")


if __name__ == "__main__":
    main()
