// Fused one-pass statistics of a depth-2 network on labelled data (loss, every gradient).
#pragma once

#include <span>
#include <vector>

#include "relureg/engine.hpp"
#include "relureg/net2.hpp"

namespace relureg {

// The parameters of a network as one vector: W (k·d), then b (k), a (k), c (1).
std::vector<double> net2_parameters(const Net2Model& model);
void set_net2_parameters(Net2Model& model, std::span<const double> parameters);

struct Net2Stats {
  double loss = 0;           // mean (f(x) − y)²
  std::vector<double> grad;  // ∇ of the mean square loss, laid out like net2_parameters
};

// One pass: the loss and its full gradient (forward and backward per row, accumulated per engine
// block). The gradients of b and c are zero unless model.bias.
Net2Stats net2_stats(const Engine& engine, const DataSource& data, const Net2Model& model);

// One pass: the mean square loss only.
double net2_loss(const Engine& engine, const DataSource& data, const Net2Model& model);

// Least-squares output layer with the hidden layer fixed: one pass for the (k + 1)² moments of
// the hidden activations, then (a, c) = argmin mean (Σ a_j h_j + c − y)² (c only if model.bias),
// with a ridge of `ridge`·trace/k for stability. Returns the resulting training loss.
double fit_output_layer(const Engine& engine, const DataSource& data, Net2Model& model,
                        double ridge = 1e-10);

// A contiguous range of rows of another source, counted from 0 (minibatches).
class RowRange final : public DataSource {
 public:
  RowRange(const DataSource& source, std::size_t begin, std::size_t end)
      : source_(source), begin_(begin), end_(end) {}
  std::size_t rows() const override { return end_ - begin_; }
  std::size_t cols() const override { return source_.cols(); }
  RowBlock block(std::size_t begin, std::size_t count) const override {
    RowBlock b = source_.block(begin_ + begin, count);
    b.first_row = begin;
    return b;
  }
  bool weighted() const override { return source_.weighted(); }

 private:
  const DataSource& source_;
  std::size_t begin_, end_;
};

// Solves the symmetric positive definite system A x = rhs (A is n × n row-major) by Cholesky;
// returns false when A is not positive definite.
bool solve_spd(std::vector<double> A, std::vector<double>& rhs, std::size_t n);

}  // namespace relureg
