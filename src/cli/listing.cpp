// `relureg learners` and `relureg families`: the name tables with their parameters.
#include <fmt/format.h>

#include "cli.hpp"
#include "relureg/auto_learner.hpp"
#include "relureg/family.hpp"
#include "relureg/learner.hpp"

namespace relureg::cli {
namespace {

void print_params(std::ostream& out, const ParamTable& params) {
  for (const ParamSpec& p : params)
    out << fmt::format("    {:<18} = {:<8} {:<22} {}\n", p.name, p.default_text(), p.range_text(),
                       p.description);
}

}  // namespace

int cmd_learners(std::ostream& out) {
  out << fmt::format("{:<12} [relu] {}\n", kAutoLearner, auto_rule());
  for (const LearnerEntry& e : learner_table()) {
    out << fmt::format("{:<12} [{}] {}\n", e.name, task_name(e.task), e.description);
    out << fmt::format("    reference: {}\n", e.reference);
    if (e.takes_weights) out << "    sample weights: taken (fit --weights FILE)\n";
    print_params(out, e.params);
  }
  return 0;
}

int cmd_families(std::ostream& out) {
  for (const FamilyEntry& f : family_table()) {
    out << fmt::format("{:<14} {}\n", f.name, f.description);
    print_params(out, f.params);
  }
  return 0;
}

}  // namespace relureg::cli
