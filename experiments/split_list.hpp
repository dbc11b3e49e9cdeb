// The experiment programs' comma-separated command-line lists ("gd,glmtron" -> {"gd", "glmtron"}).
#pragma once

#include <sstream>
#include <string>
#include <vector>

namespace relureg::experiments {

inline std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream s(text);
  for (std::string item; std::getline(s, item, ',');) out.push_back(item);
  return out;
}

}  // namespace relureg::experiments
