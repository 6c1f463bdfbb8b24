// The daily loop allocates nothing (DESIGN rule: plain value types, structure-of-arrays hot state,
// no allocation in the daily loop). This binary replaces the global operator new with a counting
// one; each test builds a PathSimulator, runs one path as warm-up (the workspace is sized on
// construction and first use) and counts the heap allocations of a second whole path: its reset,
// every day of the market, chain and agent models, and the recording of outputs. Expected: 0.
// (Allocations straight through malloc by a C library would not be counted; the day loop calls
// none.)
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <new>
#include <optional>
#include <vector>

#include "engine/scenario/scenario.h"
#include "engine/sim/market_inputs.h"
#include "engine/sim/outputs.h"
#include "engine/sim/path_simulator.h"
#include "tests/engine/scenarios.h"
#include "tests/engine/test_support.h"

namespace {
std::atomic<bool> g_counting{false};
std::atomic<long> g_allocations{0};

void* counted_alloc(std::size_t n) {
  if (g_counting.load(std::memory_order_relaxed))
    g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* counted_aligned_alloc(std::size_t n, std::align_val_t a) {
  if (g_counting.load(std::memory_order_relaxed))
    g_allocations.fetch_add(1, std::memory_order_relaxed);
  const auto align = static_cast<std::size_t>(a);
  const std::size_t size =
      ((n == 0 ? 1 : n) + align - 1) / align * align;  // aligned_alloc needs a multiple
  if (void* p = std::aligned_alloc(align, size)) return p;
  throw std::bad_alloc();
}
}  // namespace

void* operator new(std::size_t n) { return counted_alloc(n); }
void* operator new[](std::size_t n) { return counted_alloc(n); }
void* operator new(std::size_t n, std::align_val_t a) { return counted_aligned_alloc(n, a); }
void* operator new[](std::size_t n, std::align_val_t a) { return counted_aligned_alloc(n, a); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace hashsim {
namespace {
namespace ts = test_support;

// Heap allocations made while simulating path 1, after path 0 warmed the workspace up.
long allocations_in_second_path(const scenario::Scenario& s) {
  const sim::MarketInputs inputs = sim::MarketInputs::load(s);
  const sim::OutputLayout layout = sim::make_output_layout(
      s, inputs.agents ? inputs.agents->size() : 0, inputs.agents ? inputs.agents->n_observers : 0);
  std::vector<std::vector<double>> buffers;
  std::vector<double*> outputs;
  for (const auto& spec : layout.specs) buffers.emplace_back(spec.per_path_size());
  for (auto& b : buffers) outputs.push_back(b.data());
  sim::PathSimulator simulator(s, inputs, layout);
  simulator.simulate(0, outputs.data());
  g_allocations = 0;
  g_counting = true;
  simulator.simulate(1, outputs.data());
  g_counting = false;
  return g_allocations.load();
}

// The same for a block of 4 paths in 4 SIMD lanes (agents/lanes.h), after a first block warmed up.
long allocations_in_second_lane_block(const scenario::Scenario& s) {
  const sim::MarketInputs inputs = sim::MarketInputs::load(s);
  const sim::OutputLayout layout =
      sim::make_output_layout(s, inputs.agents->size(), inputs.agents->n_observers);
  std::vector<std::vector<double>> buffers;
  std::vector<std::vector<double*>> outputs(4);
  for (auto& out : outputs)
    for (const auto& spec : layout.specs)
      out.push_back(buffers.emplace_back(spec.per_path_size()).data());
  sim::PathSimulator simulator(s, inputs, layout, 4);
  simulator.simulate_block(0, 4, outputs.data());
  g_allocations = 0;
  g_counting = true;
  simulator.simulate_block(4, 4, outputs.data());
  g_counting = false;
  return g_allocations.load();
}

scenario::Scenario shipped(const std::string& relative, std::optional<int> days = std::nullopt) {
  scenario::Overrides ov;
  ov.days = days;
  return scenario::load_scenario(ts::kSourceDir / relative, ov);
}

TEST(DailyLoopAllocations, CounterSeesAnAllocation) {
  g_allocations = 0;
  g_counting = true;
  auto* v = new std::vector<double>(3);
  g_counting = false;
  delete v;
  EXPECT_GE(g_allocations.load(), 1);  // the counter works, so the zeros below mean something
}

TEST(DailyLoopAllocations, DefaultProfileAgentsAllocateNothing) {
  EXPECT_EQ(allocations_in_second_path(shipped("scenarios/base.yaml", 800)),
            0);  // crosses the 2028 halving
}

TEST(DailyLoopAllocations, DefaultProfileInFourLanesAllocatesNothing) {
  EXPECT_EQ(allocations_in_second_lane_block(shipped("scenarios/base.yaml", 800)), 0);
}

TEST(DailyLoopAllocations, ExogenousHashrateWithEveryStreamAllocatesNothing) {
  EXPECT_EQ(allocations_in_second_path(
                scenario::parse_scenario(ts::exogenous_yaml("exo", 2, 400, 7), "exo.yaml")),
            0);
}

TEST(DailyLoopAllocations, Reference2021AllocatesNothing) {
  EXPECT_EQ(allocations_in_second_path(shipped("scenarios/reference-2021/bearish.yaml")), 0);
}

}  // namespace
}  // namespace hashsim
