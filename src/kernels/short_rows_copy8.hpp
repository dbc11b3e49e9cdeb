// Eight-float vector operations on one feature of a column copy's group of eight rows.
//
// Included by short_rows_avx2.cpp and short_rows_avx512.cpp inside their anonymous namespaces
// (both compile with AVX2 and FMA at least); their variants inherit it for
// short_rows_column_float_z.hpp, which also takes each variant's own copy8_widen.
struct Copy8Ops {
  using Copy8 = __m256;
  static Copy8 copy8_load(const float* p) { return _mm256_loadu_ps(p); }
  static void copy8_store(float* p, const Copy8& v) { _mm256_storeu_ps(p, v); }
  static Copy8 copy8_set1(float v) { return _mm256_set1_ps(v); }
  static Copy8 copy8_mul(const Copy8& a, const Copy8& b) { return _mm256_mul_ps(a, b); }
  static Copy8 copy8_add(const Copy8& a, const Copy8& b) { return _mm256_add_ps(a, b); }
  static Copy8 copy8_fma(const Copy8& a, const Copy8& b, const Copy8& c) {
    return _mm256_fmadd_ps(a, b, c);
  }
};
