// A consumer of the installed relureg::core: draws a realizable instance, fits gd, checks w*.
#include <cmath>
#include <cstdio>

#include "relureg/engine.hpp"
#include "relureg/family.hpp"
#include "relureg/learner.hpp"

int main() {
  const relureg::Engine engine;
  const relureg::Instance instance =
      relureg::generate_instance("realizable", 2000, 5, 1, {}, engine);
  const relureg::LearnerEntry& gd = relureg::find_learner("gd");
  const relureg::ParamValues params = relureg::ParamValues::defaults(gd.params);
  const relureg::FitResult fit =
      relureg::fit_learner(gd, params, instance.data.view(), relureg::FitContext{&engine});
  double error = 0;
  for (std::size_t j = 0; j < instance.truth.d; ++j)
    error = std::fmax(error, std::fabs(fit.relu().w[j] - instance.truth.w_star[j]));
  std::printf("consumer: gd recovered w* to %.2e\n", error);
  return error < 1e-3 ? 0 : 1;
}
