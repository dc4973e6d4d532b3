print("Benchmarks: not yet written")
