#pragma once
// The scenarios: each prints a readable summary and one `RESULT {json}` line; the returned
// value is the process exit status (0: ran and measured; 1: set-up failed; 2: bad outcome).
#include "report.hpp"
#include "world.hpp"

namespace lg {

task<int> run_connect(world& w, const reporter& out);
task<int> run_fanout(world& w, const reporter& out);  // also verify (fanout --verify)
task<int> run_ramp(world& w, const reporter& out);

}  // namespace lg
