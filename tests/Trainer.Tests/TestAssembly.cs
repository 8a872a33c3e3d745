// Every test runs training on the machine's few cores; one at a time keeps each run's steps quick and the suite's
// wall time the sum of short runs rather than a contention lottery.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
