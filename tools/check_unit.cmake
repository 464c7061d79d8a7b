# Verifies a systemd unit with systemd-analyze, pointing ExecStart at the
# built loyaltyd (verify checks the binary exists). Any warning fails: verify
# itself exits 0 on unknown keys.
#   cmake -DUNIT=deploy/loyaltyd.service -DLOYALTYD=build/bin/loyaltyd -DOUT=/tmp/u -P tools/check_unit.cmake
file(READ ${UNIT} text)
string(REPLACE "/usr/local/bin/loyaltyd" "${LOYALTYD}" text "${text}")
get_filename_component(name ${UNIT} NAME)
file(MAKE_DIRECTORY ${OUT})
file(WRITE ${OUT}/${name} "${text}")
execute_process(COMMAND systemd-analyze verify ${OUT}/${name}
  RESULT_VARIABLE result OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT result EQUAL 0 OR NOT "${out}${err}" STREQUAL "")
  message(FATAL_ERROR "systemd-analyze verify ${name}:\n${out}${err}")
endif()
