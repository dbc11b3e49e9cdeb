// The individual instance families (one source file each), gathered by family_table.cpp.
#pragma once

#include "relureg/family.hpp"
#include "sampling.hpp"

namespace relureg::families {

// x_family() for every line RELUREG_FAMILY(x, ...) of the table.
#define RELUREG_FAMILY(id, ...) FamilyEntry id##_family();
#include "family_table.def"
#undef RELUREG_FAMILY

// The row distribution of each family, rebuilt from a ground truth (its seed, teacher and
// params), so that fresh samples for Monte-Carlo checks come from exactly the instance's law.
RowDistribution realizable_rows(const GroundTruth& truth);
RowDistribution label_noise_rows(const GroundTruth& truth);
RowDistribution non_gaussian_rows(const GroundTruth& truth);
RowDistribution teacher_net2_rows(const GroundTruth& truth);
RowDistribution orthogonal_net_rows(const GroundTruth& truth);
RowDistribution binact_teacher_rows(const GroundTruth& truth);
RowDistribution sparse_parity_rows(const GroundTruth& truth);

// The teacher network stored in a network family's ground truth (teacher["network"]).
Net2Model teacher_network(const GroundTruth& truth);
// Exact population loss under x ~ N(0, I) of a ReLU network against the truth's teacher network
// plus independent noise of the given variance (gaussian::net2_distance + noise); nullopt for
// other activations, whose loss is taken by Monte Carlo over the family's rows.
std::optional<PopulationLoss> teacher_network_loss(const Net2Model& model, const GroundTruth& truth,
                                                   double noise);
// A ReLU as a one-unit network (for the network families' ReLU population losses).
Net2Model relu_as_net2(const ReluModel& model);

// Exact population loss under x ~ N(0, I) of any ReLU against the teacher ReLU(w*·x + b*) plus
// independent noise of the given variance: gaussian::relu_distance + variance.
PopulationLoss noisy_teacher_population_loss(const ReluModel& model, const GroundTruth& truth,
                                             double noise_variance);
// The population losses of a family whose labels are its teacher ReLU plus independent noise of
// the variance in its parameter struct P's `noise` field.
template <class P>
auto noisy_teacher_losses() {
  return model_losses([](const ReluModel& model, const GroundTruth& truth, const Engine&) {
    return noisy_teacher_population_loss(model, truth, truth_params<P>(truth).noise);
  });
}

// The opt over homogeneous ReLUs max(0, w.x) (within the radius) of a teacher ReLU(w*.x + b*)
// plus independent noise of variance `noise`, x ~ N(0, I): exact, by quadrature and a 1-D
// minimisation over the scale along w* (the noise alone when b* = 0).
ClassOpt homogeneous_teacher_opt(const GroundTruth& truth, double noise);
// argmin of f on [lo, hi]: the best of a grid of `points` + 1 points, refined by golden section
// to `tolerance`.
double minimize_on_line(const std::function<double(double)>& f, double lo, double hi,
                        double tolerance, int points = 400);

// ReLUs found by projected full-batch gradient descent on the empirical square loss of `sample`
// (step 1, halved whenever the loss rises; ‖w‖ ≤ truth.radius; at most `iterations` passes,
// fewer once a step gains under 1e-12 relative), started from the teacher and from the Chow
// estimate 2Ê[yx] (sota.md D2); with `bias` false, b stays 0 (homogeneous ReLUs). Used to certify
// upper bounds on opt.
struct SearchCandidate {
  std::string start;  // "teacher" or "chow"
  ReluModel model;
  double empirical_loss = 0;
};
inline constexpr int kSearchIterations = 300;
std::vector<SearchCandidate> search_relus(const Engine& engine, const DataSource& sample,
                                          const GroundTruth& truth, bool bias = true,
                                          int iterations = kSearchIterations);

}  // namespace relureg::families
