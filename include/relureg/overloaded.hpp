// An overload set of lambdas, for std::visit over a variant such as Model.
#pragma once

namespace relureg {

template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;

}  // namespace relureg
