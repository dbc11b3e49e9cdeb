// The generate command: one data file, or a folder of NPY shards (one per process under mpirun).
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "cli.hpp"
#include "option_checks.hpp"
#include "relureg/distributed.hpp"
#include "relureg/error.hpp"
#include "relureg/family.hpp"
#include "relureg/io.hpp"
#include "relureg/temp_files.hpp"

namespace relureg::cli {
namespace {

std::string opt_summary(const GroundTruth& truth) {
  // ReLU families: the opt of homogeneous ReLUs (what learners fit by default) first.
  return truth.homogeneous
             ? fmt::format("opt = {:.6g}, {}; with bias {:.6g}, {}", truth.homogeneous->opt,
                           truth.homogeneous->opt_kind, truth.opt, truth.opt_kind)
             : fmt::format("opt = {:.6g}, {}", truth.opt, truth.opt_kind);
}

namespace fs = std::filesystem;

// A folder output: a name without an extension, a trailing separator, or an existing folder.
bool is_folder_output(const std::string& output) {
  std::error_code ec;
  return fs::path(output).extension().empty() || fs::is_directory(output, ec);
}

// Raises `error` (or another process's) on every process; a single process rethrows it.
void agree(std::exception_ptr error) {
  if (const auto collective = process_collective()) return collective->agree(error);
  if (error) std::rethrow_exception(error);
}

// Runs `step` and makes every process agree on its outcome (RankError "rank R: ..." under mpirun).
template <class Step>
void agreed(Step&& step) {
  std::exception_ptr error;
  try {
    step();
  } catch (...) {
    error = std::current_exception();
  }
  agree(error);
}

void write_truth(const std::string& path, const GroundTruth& truth) {
  write_atomically(path, [&](const fs::path& tmp) {
    std::ofstream file(tmp, std::ios::binary);
    file << to_json(truth).dump(2) << "\n";
    file.close();
    if (!file) throw InputError(path + ": cannot write file: " + std::strerror(errno));
  });
}

// The folder must be new or hold no data yet: old shards would be read as part of the data.
void check_shard_folder(const fs::path& folder) {
  std::error_code ec;
  if (!fs::exists(folder, ec)) return;
  if (!fs::is_directory(folder, ec))
    throw InputError(folder.string() +
                     ": exists and is not a folder (the output of generate "
                     "with a name without extension is a folder of shards)");
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec))
    if (it->is_regular_file() && it->path().extension() == ".npy")
      throw InputError(folder.string() + ": the folder already holds .npy files (generate " +
                       "writes its shards into a new or empty folder)");
  if (ec) throw InputError(folder.string() + ": cannot read the folder: " + ec.message());
}

// "part-007.npy": numbered from 0, as many digits as the largest rank needs (at least 3), so
// that file-name order is rank order.
fs::path shard_name(int rank, int ranks) {
  const int digits = std::max<int>(3, static_cast<int>(std::to_string(ranks - 1).size()));
  return fmt::format("part-{:0{}}.npy", rank, digits);
}

// Each process draws its own blocks (rank_rows: the split `fit` reads back under the same
// number of processes) and writes them under a hidden temporary name; once every process has
// written, each renames its shard into place and rank 0 writes the ground truth. A failure on
// any process before that point stops all of them and leaves no file behind.
int generate_shards(const GenerateOptions& o, const CommonOptions& c, std::ostream& out) {
  const int rank = process_rank(), ranks = process_count();
  fs::path folder = fs::path(o.output).lexically_normal();
  if (folder.filename().empty()) folder = folder.parent_path();  // "shards/" names "shards"
  const std::string truth_path = truth_path_for(folder.string());
  const std::size_t blocks = block_count(o.n);
  if (blocks < static_cast<std::size_t>(ranks))
    throw InputError(fmt::format(
        "{}: n = {} rows make {} block(s) of {} rows, fewer than the {} processes (one shard "
        "per process needs at least one block each)",
        o.output, o.n, blocks, kBlockRows, ranks));
  check_output_path(truth_path, {});
  std::error_code ec;
  bool created = false;
  agreed([&] {
    if (rank != 0) return;
    check_shard_folder(folder);
    created = !fs::exists(folder, ec);
    fs::create_directories(folder, ec);
    if (ec) throw InputError(folder.string() + ": cannot create the folder: " + ec.message());
  });
  const fs::path shard = folder / shard_name(rank, ranks);
  const fs::path staged =
      folder / fmt::format(".{}.tmp.{}.npy", shard.stem().string(), static_cast<long>(getpid()));
  const fs::path staged_files[] = {staged, labels_path_for(staged)};
  for (const fs::path& file : staged_files) register_temp_file(file);  // removed on SIGINT
  const auto discard = [&] {
    for (const fs::path& file : staged_files) fs::remove(file, ec);
  };
  Instance instance;
  bool renamed = false;
  try {
    agreed([&] {
      check_output_path(shard.string(), {});
      const auto [first, last] = rank_rows(o.n, rank, ranks);
      instance =
          generate_instance(o.family, o.n, o.d, c.seed, o.params, Engine(EngineOptions{c.threads}),
                            RowBlocks{first / kBlockRows, block_count(last)});
      write_dataset(staged, instance.data);
    });
    agreed([&] {
      renamed = true;
      fs::rename(staged, shard);
      fs::rename(staged_files[1], labels_path_for(shard));
      if (rank == 0) write_truth(truth_path, instance.truth);
    });
    for (const fs::path& file : staged_files) unregister_temp_file(file);
  } catch (...) {
    discard();
    if (renamed) fs::remove(shard, ec), fs::remove(labels_path_for(shard), ec);
    agree(nullptr);  // every process has removed its files before rank 0 removes the folder
    for (const fs::path& file : staged_files) unregister_temp_file(file);
    if (rank == 0 && created) fs::remove(folder, ec);
    throw;
  }
  if (!c.quiet && rank == 0)
    out << fmt::format("wrote {} shard(s) to {} ({} rows, {} features) and {} ({})\n", ranks,
                       folder.string(), o.n, o.d, truth_path, opt_summary(instance.truth));
  return 0;
}

}  // namespace

std::string truth_path_for(const std::string& data_path) {
  std::filesystem::path p(data_path);
  return (p.parent_path() / (p.stem().string() + ".truth.json")).string();
}

int cmd_generate(const GenerateOptions& o, const CommonOptions& c, std::ostream& out) {
  if (is_folder_output(o.output)) return generate_shards(o, c, out);
  if (process_rank() != 0) return 0;  // one file: rank 0 alone writes it
  detect_format(o.output);  // fail on a bad extension or an unwritable folder before any work
  check_output_path(o.output, {});
  const Engine engine(EngineOptions{c.threads});
  const Instance instance = generate_instance(o.family, o.n, o.d, c.seed, o.params, engine);
  const std::string truth_path = truth_path_for(o.output);
  // Both files appear or neither: the truth is written to a temporary name first.
  write_atomically(truth_path, [&](const std::filesystem::path& tmp_truth) {
    std::ofstream truth(tmp_truth, std::ios::binary);
    truth << to_json(instance.truth).dump(2) << "\n";
    truth.close();
    if (!truth) throw InputError(truth_path + ": cannot write file: " + std::strerror(errno));
    write_dataset(o.output, instance.data);
  });
  if (!c.quiet)
    out << fmt::format("wrote {} ({} rows, {} features) and {} ({})\n", o.output, instance.data.n,
                       instance.data.d, truth_path, opt_summary(instance.truth));
  return 0;
}

}  // namespace relureg::cli
