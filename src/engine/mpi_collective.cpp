// The MPI collective: block sums added in global block order along the ranks, then broadcast.
#include <algorithm>
#include <climits>
#include <cstdlib>
#include <new>
#include <string>
#include <vector>

#include "relureg/distributed.hpp"
#include "relureg/error.hpp"

#ifdef RELUREG_WITH_MPI
#include <mpi.h>
#endif

namespace relureg {

namespace {

int g_rank = 0;
int g_size = 1;
std::shared_ptr<const Collective> g_collective;

}  // namespace

int process_rank() {
  return g_rank;
}
int process_count() {
  return g_size;
}
std::shared_ptr<const Collective> process_collective() {
  return g_collective;
}

#ifdef RELUREG_WITH_MPI

namespace {

// "what()" of an exception, for the message every rank raises.
std::string error_text(std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::bad_alloc&) {
    return "out of memory";
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown error";
  }
}

// Ordered reduction along the ranks: rank r receives the running total of ranks < r (with the
// next expected block and the first failing rank), adds its own block sums one block at a time,
// and passes it on; the last rank broadcasts the total. The additions are exactly those of one
// process adding every block sum in block order, so the result does not depend on the split.
class MpiCollective final : public Collective {
 public:
  void allreduce_sum(std::span<double> values) const override {
    MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()), MPI_DOUBLE, MPI_SUM,
                  MPI_COMM_WORLD);
  }
  int rank() const override { return g_rank; }
  int size() const override { return g_size; }

  void ordered_sum(std::span<const double> block_sums, std::size_t width, std::size_t first_block,
                   std::span<double> total, std::exception_ptr local_error) const override {
    // message: [running total (width) | next global block | first failing rank or -1]
    std::vector<double> message(width + 2, 0.0);
    message[width + 1] = -1;
    const int count = static_cast<int>(message.size());
    if (g_rank > 0)
      MPI_Recv(message.data(), count, MPI_DOUBLE, g_rank - 1, kTag, MPI_COMM_WORLD,
               MPI_STATUS_IGNORE);
    const std::size_t local_blocks = width == 0 ? 0 : block_sums.size() / width;
    const auto next = static_cast<std::size_t>(message[width]);
    if (message[width + 1] < 0 && !local_error && local_blocks > 0 && first_block != next)
      local_error = std::make_exception_ptr(std::logic_error(
          "engine: rank holds blocks from " + std::to_string(first_block) + " on, expected " +
          std::to_string(next) + " (the source is not split across the processes)"));
    if (local_error && message[width + 1] < 0) message[width + 1] = g_rank;
    if (message[width + 1] < 0) {
      for (std::size_t b = 0; b < local_blocks; ++b)
        for (std::size_t k = 0; k < width; ++k) message[k] += block_sums[b * width + k];
      message[width] = static_cast<double>(next + local_blocks);
    }
    if (g_rank + 1 < g_size)
      MPI_Send(message.data(), count, MPI_DOUBLE, g_rank + 1, kTag, MPI_COMM_WORLD);
    MPI_Bcast(message.data(), count, MPI_DOUBLE, g_size - 1, MPI_COMM_WORLD);
    if (message[width + 1] >= 0) raise(static_cast<int>(message[width + 1]), local_error);
    std::copy(message.begin(), message.begin() + static_cast<std::ptrdiff_t>(width), total.begin());
  }

  void share_rows(std::span<double> out, std::size_t first, std::size_t last,
                  std::exception_ptr local_error) const override {
    if (!local_error && out.size() > static_cast<std::size_t>(INT_MAX))
      local_error = std::make_exception_ptr(std::length_error(
          "engine: per-row results of more than 2^31 rows cannot be shared across processes"));
    agree(local_error);
    std::vector<long long> ranges(2 * static_cast<std::size_t>(g_size));
    const long long mine[2] = {static_cast<long long>(first), static_cast<long long>(last)};
    MPI_Allgather(mine, 2, MPI_LONG_LONG, ranges.data(), 2, MPI_LONG_LONG, MPI_COMM_WORLD);
    std::vector<int> counts(g_size), offsets(g_size);
    for (int r = 0; r < g_size; ++r) {
      offsets[r] = static_cast<int>(ranges[2 * r]);
      counts[r] = static_cast<int>(ranges[2 * r + 1] - ranges[2 * r]);
    }
    MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, out.data(), counts.data(), offsets.data(),
                   MPI_DOUBLE, MPI_COMM_WORLD);
  }

  void agree(std::exception_ptr local_error) const override {
    int failed = local_error ? g_rank : g_size;
    MPI_Allreduce(MPI_IN_PLACE, &failed, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
    if (failed < g_size) raise(failed, local_error);
  }

 private:
  static constexpr int kTag = 0x5245;

  // Broadcasts the failing rank's message and raises it on every rank.
  [[noreturn]] static void raise(int failed, std::exception_ptr local_error) {
    std::string text = g_rank == failed ? error_text(local_error) : std::string();
    int length = static_cast<int>(text.size());
    MPI_Bcast(&length, 1, MPI_INT, failed, MPI_COMM_WORLD);
    text.resize(static_cast<std::size_t>(length));
    MPI_Bcast(text.data(), length, MPI_CHAR, failed, MPI_COMM_WORLD);
    throw RankError("rank " + std::to_string(failed) + ": " + text);
  }
};

bool launched_by_mpirun() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK", "PMI_SIZE"})
    if (std::getenv(name) != nullptr) return true;
  return false;
}

bool g_session_started = false;

}  // namespace

bool mpi_built() {
  return true;
}

std::vector<std::string> gather_texts(const std::string& text) {
  if (!g_session_started || g_size == 1) return {text};
  int length = static_cast<int>(text.size());
  std::vector<int> lengths(g_rank == 0 ? g_size : 0), offsets(lengths.size());
  MPI_Gather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, 0, MPI_COMM_WORLD);
  std::string all;
  if (g_rank == 0) {
    for (int r = 1; r < g_size; ++r) offsets[r] = offsets[r - 1] + lengths[r - 1];
    all.resize(static_cast<std::size_t>(offsets.back() + lengths.back()));
  }
  MPI_Gatherv(text.data(), length, MPI_CHAR, all.data(), lengths.data(), offsets.data(), MPI_CHAR,
              0, MPI_COMM_WORLD);
  std::vector<std::string> texts;
  for (std::size_t r = 0; r < lengths.size(); ++r)
    texts.push_back(
        all.substr(static_cast<std::size_t>(offsets[r]), static_cast<std::size_t>(lengths[r])));
  return texts;
}

MpiSession::MpiSession(int* argc, char*** argv) {
  if (!launched_by_mpirun()) return;
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &g_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &g_size);
  g_collective = std::make_shared<MpiCollective>();
  g_session_started = true;
}

MpiSession::~MpiSession() {
  if (!g_session_started) return;
  g_collective.reset();
  MPI_Finalize();
  g_session_started = false;
}

#else  // built without MPI: a single process

bool mpi_built() {
  return false;
}
std::vector<std::string> gather_texts(const std::string& text) {
  return {text};
}
MpiSession::MpiSession(int*, char***) {}
MpiSession::~MpiSession() = default;

#endif

}  // namespace relureg
