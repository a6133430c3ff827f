// The numbers of one benchmark run and how they become the Markdown report:
// a table of raw measurements (every repetition and the median) and a table
// of the issue-18 targets, each with the measured value and PASS or FAIL.
#ifndef KAIZEN_TOOLS_BENCH_REPORT_H_
#define KAIZEN_TOOLS_BENCH_REPORT_H_

#include <cstdio>
#include <string>
#include <vector>

#include "tools/bench/bench_kit.h"
#include "tools/bench/scenarios.h"

namespace kaizen::bench {

struct Settings {
  int repetitions = 0;
  double seconds = 0, warmup_seconds = 0;
  int connections = 0, writers = 0;
  int burst = 0, burst_capacity = 0, burst_waitlist = 0;
  int starts = 0;
  double idle_seconds = 0;
  // The phases measured, letters of "abcde" (kaizen_bench --phases): the
  // targets of the others are reported as not measured.
  std::string phases = "abcde";
  bool Ran(char phase) const { return phases.find(phase) != std::string::npos; }
  // Any of (a) to (d), which the repetitions measure ((e) is outside them).
  bool RanRounds() const { return phases.find_first_of("abcd") != std::string::npos; }
};

// One repetition of (a) to (d).
struct Round {
  LoadResult health, get_cohort;          // (a)
  double raw_commits_per_s = 0;           // (b)
  LoadResult create;                      // (b)
  LoadResult direct_1, http_1;            // (d) one client
  LoadResult direct_n, http_n;            // (d) at saturation
  BurstResult burst;                      // (c)
};

// (e) for one binary.
struct ServiceStarts {
  std::string service;
  std::vector<StartResult> runs;
};

struct Report {
  Settings settings;
  std::vector<std::string> demo_data;  // what load_demo_data printed
  std::vector<ServiceStarts> starts;
  std::vector<Round> rounds;
};

// One line of the targets table.
struct Verdict {
  std::string target;    // e.g. "GetCohort ≥ 0.5× Health/Check (16 connections)"
  std::string measured;  // e.g. "0.41× (median of 3)"
  bool pass = false;
  bool run = true;       // false: its phase was not run (--phases), no verdict
};

// The targets over the medians of the rounds (ratios: the median of
// the per-round ratios, each round's two sides measured back to back). A
// throughput target also needs 0 errors on both of its sides.
std::vector<Verdict> Verdicts(const Report& report);

// Both tables (and any example errors) as Markdown.
void PrintReport(const Report& report, std::FILE* out);

}  // namespace kaizen::bench

#endif  // KAIZEN_TOOLS_BENCH_REPORT_H_
