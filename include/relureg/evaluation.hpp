// Evaluation of a fitted ReLU on labelled data (empirical square loss), one fused kernel pass.
#pragma once

#include <cstddef>

#include "relureg/engine.hpp"
#include "relureg/model.hpp"

namespace relureg {

struct Evaluation {
  double loss = 0;  // mean (ReLU(w·x + b) − y)^2
  std::size_t n = 0;
};

Evaluation evaluate(const Engine& engine, const ReluModel& model, const DataSource& data);

}  // namespace relureg
