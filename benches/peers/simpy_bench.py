#!/usr/bin/env python3
"""Benchmark workloads W1 (M/M/1) and W3 (service tree) of validation.md section 6 in SimPy 4, for comparison
with `archsim bench`.

Latency recording matches archsim's: every customer's sojourn (arrival to departure) goes into a list; the
mean and p99 are computed at the end. Rates are per wall-clock second, as in validation.md; the CPU time
column shows how much of that the process actually ran (on a busy machine the two differ). Each workload runs in a fresh child process so that its peak memory
(ru_maxrss) is its own.

Usage: python3 simpy_bench.py [--quick] [W1] [W3]
"""

import math
import random
import resource
import subprocess
import sys
import time

import simpy

FULL_CUSTOMERS = 1_000_000
QUICK_CUSTOMERS = 100_000
SEED = 1


def w1(n):
    """M/M/1, lambda = 0.9, mu = 1 (time unit: 1 ms). Theory: mean sojourn 10, p99 46.05."""
    env = simpy.Environment()
    rng = random.Random(SEED)
    server = simpy.Resource(env, capacity=1)
    sojourns = []

    def customer():
        t0 = env.now
        with server.request() as req:
            yield req
            yield env.timeout(rng.expovariate(1.0))
        sojourns.append(env.now - t0)

    def source():
        for _ in range(n):
            yield env.timeout(rng.expovariate(0.9))
            env.process(customer())

    env.process(source())
    env.run()
    return sojourns


def w3(n):
    """Poisson 1/ms -> round robin over 4 services (16 workers, exp 10 ms) -> cache (64 workers, exp 1 ms,
    hit 0.8) -> on a miss a database (8 connections, exp 20 ms). The service worker is held during its
    downstream calls (thread per request), as in archsim. Expected: mean about 15.06 ms, p99 about 75.9 ms."""
    env = simpy.Environment()
    rng = random.Random(SEED)
    services = [simpy.Resource(env, capacity=16) for _ in range(4)]
    cache = simpy.Resource(env, capacity=64)
    db = simpy.Resource(env, capacity=8)
    sojourns = []

    def request(svc):
        t0 = env.now
        with svc.request() as worker:
            yield worker
            yield env.timeout(rng.expovariate(1 / 10.0))
            with cache.request() as lookup:
                yield lookup
                yield env.timeout(rng.expovariate(1 / 1.0))
            if rng.random() >= 0.8:
                with db.request() as conn:
                    yield conn
                    yield env.timeout(rng.expovariate(1 / 20.0))
        sojourns.append(env.now - t0)

    def source():
        for i in range(n):
            yield env.timeout(rng.expovariate(1.0))
            env.process(request(services[i % 4]))

    env.process(source())
    env.run()
    return sojourns


WORKLOADS = {"W1": w1, "W3": w3}


def run_one(name, n):
    start = time.perf_counter()
    cpu_start = time.process_time()
    sojourns = WORKLOADS[name](n)
    sojourns.sort()
    mean = sum(sojourns) / len(sojourns)
    p99 = sojourns[max(0, math.ceil(0.99 * len(sojourns)) - 1)]
    wall = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(f"{name} {len(sojourns)} {wall:.6f} {cpu:.6f} {mean:.6f} {p99:.6f} {peak_kib}")


def main():
    args = sys.argv[1:]
    if args[:1] == ["--one"]:
        run_one(args[1], int(args[2]))
        return
    quick = "--quick" in args
    names = [a.upper() for a in args if not a.startswith("--")] or list(WORKLOADS)
    n = QUICK_CUSTOMERS if quick else FULL_CUSTOMERS
    print(f"SimPy {simpy.__version__} on Python {sys.version.split()[0]}: {n:,} customers per workload, "
          f"each in its own process", file=sys.stderr)
    print(f"{'workload':<8} {'customers':>11} {'wall s':>8} {'cpu s':>8} {'customers/s':>12} {'mean ms':>9} {'p99 ms':>9} "
          f"{'peak MiB':>9}")
    for name in names:
        out = subprocess.run([sys.executable, __file__, "--one", name, str(n)], check=True,
                             capture_output=True, text=True).stdout.split()
        _, count, wall, cpu, mean, p99, peak = out
        count, wall = int(count), float(wall)
        print(f"{name:<8} {count:>11,} {wall:>8.2f} {float(cpu):>8.2f} {count / wall:>12,.0f} {float(mean):>9.3f} "
              f"{float(p99):>9.2f} {int(peak) / 1024:>9.1f}")


if __name__ == "__main__":
    main()
