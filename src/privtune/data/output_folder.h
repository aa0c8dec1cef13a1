// Writing a command's output folder: all files are produced in memory first, so nothing
// reaches the folder unless the whole input was read; each file is written atomically;
// a folder that already holds files is refused unless the user said --overwrite.
#pragma once

#include <string>
#include <vector>

namespace privtune::data {

struct OutputFile {
  std::string name;  // file name inside the folder
  std::string bytes;
};

// Throws Error if `dir` is a file, or a folder with any entry in it and !overwrite.
// Commands call it before their work too, so that a refused run fails fast.
void check_output_folder(const std::string& dir, bool overwrite);

// Creates `dir` if needed and writes every file atomically. Names in `owned` that are not
// among `files` are removed afterwards, so that --overwrite does not leave a stale file of
// the same kind (e.g. an old canaries.jsonl) beside the new ones.
void write_output_folder(const std::string& dir, const std::vector<OutputFile>& files, bool overwrite,
                         const std::vector<std::string>& owned = {});

}  // namespace privtune::data
