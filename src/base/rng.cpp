// Seed mixing for independent, reproducible random streams.
#include "relureg/rng.hpp"

namespace relureg {

std::uint64_t mix_seed(std::uint64_t seed, std::uint64_t stream) {
  // SplitMix64 (Steele, Lea, Flood 2014) applied to seed and stream in turn.
  auto splitmix = [](std::uint64_t z) {
    z += 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  };
  return splitmix(splitmix(seed) ^ (stream * 0xd1b54a32d192ed03ULL + 0x8bb84b93962eacc9ULL));
}

}  // namespace relureg
