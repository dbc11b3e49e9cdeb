// The temporary files of atomic writes: removed on SIGINT/SIGTERM, and stale ones on the next
// write.
#pragma once

#include <filesystem>

namespace relureg {

// The temporary name of an atomic write to `path` by this process: ".<name>.tmp.<pid>" in the
// same folder.
std::filesystem::path temp_path_for(const std::filesystem::path& path);

// Registers `tmp` as being written; a SIGINT or SIGTERM removes it (once the handler is
// installed). Returns false (and registers nothing) when too many are open at once.
bool register_temp_file(const std::filesystem::path& tmp);
void unregister_temp_file(const std::filesystem::path& tmp);

// Installs SIGINT and SIGTERM handlers that remove the registered temporary files and then end
// the process as the signal would have (the command-line tool does this; a library user may).
void remove_temp_files_on_signal();

// Removes the temporary files that earlier writes to `path` left behind when they were killed
// (SIGKILL, power loss): ".<name>.tmp.<pid>" files whose process is gone.
void remove_stale_temp_files(const std::filesystem::path& path);

}  // namespace relureg
