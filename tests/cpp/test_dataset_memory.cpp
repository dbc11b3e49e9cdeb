// Feature buffers: large ones are reserved for huge pages, and still zeroed and sized exactly.
#include <gtest/gtest.h>

#include <algorithm>

#include "relureg/dataset.hpp"

namespace relureg {
namespace {

TEST(Dataset, FeatureBuffersOfAnySizeAreZeroedAndExactlySized) {
  for (std::size_t count : {std::size_t{0}, std::size_t{7}, std::size_t{3} << 20}) {
    std::vector<float> X;
    resize_features(X, count);
    EXPECT_EQ(X.size(), count);
    EXPECT_TRUE(std::all_of(X.begin(), X.end(), [](float v) { return v == 0.0f; }));
  }
  const Dataset data(1500000, 3);  // 18 MB of features: the huge-page path
  EXPECT_EQ(data.X.size(), 4500000u);
  EXPECT_EQ(data.y.size(), 1500000u);
  EXPECT_EQ(data.X.front() + data.X.back(), 0.0f);
  const Dataset unlabelled(10, 2, false);
  EXPECT_EQ(unlabelled.X.size(), 20u);
  EXPECT_TRUE(unlabelled.y.empty());
}

}  // namespace
}  // namespace relureg
