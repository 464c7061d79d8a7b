# The tests of the core, the runtime and the simulation: built by the main
# build (tests/CMakeLists.txt) and again under ASan+UBSan (tests/sanitize/),
# each with its own loyalty_unit_test. Paths are from tests/.
set(here ${PROJECT_SOURCE_DIR}/tests)
loyalty_unit_test(engine_test
  SOURCES ${here}/engine/money_test.cc ${here}/engine/earn_test.cc ${here}/engine/decide_test.cc
          ${here}/engine/validate_test.cc ${here}/engine/offers_test.cc
          ${here}/engine/budget_test.cc ${here}/engine/rfm_test.cc ${here}/engine/profile_test.cc
          ${here}/engine/expiry_notice_test.cc
  LIBS loyalty_engine)
loyalty_unit_test(runtime_test SOURCES ${here}/runtime/runtime_test.cc LIBS loyalty_runtime)
# The deterministic simulation of the runtime under faults (docs/TESTING.md).
loyalty_unit_test(sim_test SOURCES ${here}/sim/sim_test.cc ${here}/sim/simulator.cc
  LIBS loyalty_runtime)
