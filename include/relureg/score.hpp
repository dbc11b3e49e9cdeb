// The score of a model against an instance's ground truth: population loss, opt, excess, ratio.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "relureg/engine.hpp"
#include "relureg/family.hpp"
#include "relureg/model.hpp"

namespace relureg {

// One record of how far a model is from opt, in the measure of the instance's task (square loss,
// or 0/1 error on a halfspace instance). Every report (evaluate, demo, the laboratory's rows,
// Python) takes its numbers and their names from here.
struct Score {
  std::string measure;          // task_measure of the family: "square loss" or "0/1 error"
  PopulationLoss population;    // value, method ("exact" or "monte-carlo"), stderr, samples
  double opt = 0;               // the instance's opt over the model's class (class_opt)
  std::string opt_kind;         // "exact", "upper-bound" or "lower-bound" (ClassOpt::opt_kind)
  std::string opt_class;        // "homogeneous ReLUs", "ReLUs with bias", or the task's models
  double excess = 0;            // population loss − opt
  std::optional<double> ratio;  // population loss / opt; none when opt = 0
};

// Scores `model` on the instance of `truth`. InputError when the model cannot be measured there:
// "a 'realizable' instance measures square loss; the model is a halfspace (use a 'halfspace'
// instance)", "a 'halfspace' instance measures 0/1 error; the model is a relu model (use a
// halfspace learner: hs-average, hs-abl, hs-sigmoid)", or a dimension mismatch.
Score score(const Model& model, const GroundTruth& truth, const Engine& engine);

// The JSON form, with one name per quantity: "measure", "population_loss",
// "population_loss_method", "population_loss_stderr" (0 when exact), "opt", "opt_kind",
// "opt_class", "excess", "ratio_to_opt" (when opt > 0).
nlohmann::json to_json(const Score& score);

}  // namespace relureg
