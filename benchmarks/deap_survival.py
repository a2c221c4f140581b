"""Times DEAP's NSGA-II ranking on uniform random points, the reference for
benchmarks/deap_compare.sh. Run with Debian's python (/usr/bin/python3) and
python3-deap.

    /usr/bin/python3 benchmarks/deap_survival.py N M REPETITIONS

Prints the median wall-clock and CPU seconds of one sortNondominated over all
N points plus assignCrowdingDist on every front, the same work as the C++
BM_RankAndCrowd benchmark.
"""
import random
import statistics
import sys
import time

from deap import base, creator, tools


def main():
    n, m, repetitions = (int(a) for a in sys.argv[1:4])
    creator.create("FitnessMin", base.Fitness, weights=(-1.0,) * m)
    creator.create("Individual", list, fitness=creator.FitnessMin)
    rng = random.Random(n * 31 + m)
    population = []
    for _ in range(n):
        individual = creator.Individual()
        individual.fitness.values = tuple(rng.random() for _ in range(m))
        population.append(individual)
    wall, cpu = [], []
    for _ in range(repetitions):
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        fronts = tools.sortNondominated(population, len(population))
        for front in fronts:
            tools.emo.assignCrowdingDist(front)
        wall.append(time.perf_counter() - start_wall)
        cpu.append(time.process_time() - start_cpu)
    print(f"{statistics.median(wall):.6f} {statistics.median(cpu):.6f} {len(fronts)}")


if __name__ == "__main__":
    main()
