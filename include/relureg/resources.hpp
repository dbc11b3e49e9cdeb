// Bounds on the resources a user controls: threads, jobs, memory for a size, seeds and grid cells.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace relureg {

// Cores this process may run on (its CPU affinity), at least 1.
int available_cores();

// At most this many threads run in one engine or job pool: kThreadsPerCore × the cores. More
// threads than that only add scheduling cost; an unbounded count crashes the OpenMP runtime.
inline constexpr int kThreadsPerCore = 4;
int max_threads();

// A requested thread (or job) count, at most max_threads(); 0 stays 0 ("as many as cores").
int clamp_threads(std::uint64_t requested);

// "--threads 1000000 is more than 4 × the 2 cores; using 8" (empty when nothing was clamped).
std::string thread_clamp_note(const std::string& what, std::uint64_t requested);

// Physical memory this process can use now: MemAvailable, or the cgroup limit if lower.
std::uint64_t available_memory_bytes();

// "1.5 GiB", "312 MiB", "4.0 KiB", "12 bytes".
std::string bytes_text(double bytes);

// Refuses (InputError naming `what`) an n × d float32 feature matrix with float64 labels that
// overflows size_t or needs more memory than is available: "<what>: n × d = 1000000000 × 100
// needs 373 GiB of memory (float32 features, float64 labels); 21.3 GiB is available".
void check_dataset_memory(std::size_t n, std::size_t d, const std::string& what);

// The most seeds a tradeoff grid may list or count, and the most cells it may have.
inline constexpr std::uint64_t kMaxSeeds = 100000;
inline constexpr std::uint64_t kMaxGridCells = 10000000;

}  // namespace relureg
