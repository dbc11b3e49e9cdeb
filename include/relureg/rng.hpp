// Seeded random streams: one independent stream per (seed, stream id), identical on every run.
#pragma once

#include <cstdint>
#include <random>

namespace relureg {

// SplitMix64 finaliser: mixes a seed and a stream id into a well-spread 64-bit seed.
std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t stream);

// A generator for stream `stream` of `seed` (blocks of generated rows use their block index).
inline std::mt19937_64 make_rng(std::uint64_t seed, std::uint64_t stream) {
  return std::mt19937_64(mix_seed(seed, stream));
}

}  // namespace relureg
