# Fails when a file in DIR (engine/) includes anything but the C++ standard
# library or another engine header. Run at build time (engine/CMakeLists.txt)
# and as a test (tests/CMakeLists.txt), so the pure core stays pure.
#   cmake -DDIR=engine -P tools/check_engine_includes.cmake
# With -DRUNTIME=ON (engine/runtime/), the threading headers are allowed too;
# without it, the core may not include engine/runtime/ (the layer above).
set(allowed
  algorithm any array atomic bit bitset cassert cctype cerrno chrono cinttypes
  climits cmath compare concepts cstddef cstdint cstdio cstdlib cstring ctime
  deque exception functional initializer_list iomanip ios iosfwd iterator limits
  list map memory numeric optional ostream queue random ranges ratio set span
  sstream stdexcept string string_view system_error tuple type_traits
  unordered_map unordered_set utility variant vector)
if(RUNTIME)
  list(APPEND allowed condition_variable mutex shared_mutex thread)
endif()

file(GLOB files ${DIR}/*.h ${DIR}/*.cc)
set(failures "")
foreach(f IN LISTS files)
  file(STRINGS ${f} lines REGEX "^[ \t]*#[ \t]*include")
  foreach(line IN LISTS lines)
    if(line MATCHES "#[ \t]*include[ \t]*<([^>]+)>")
      list(FIND allowed "${CMAKE_MATCH_1}" at)
      if(at EQUAL -1)
        string(APPEND failures "\n  ${f}: <${CMAKE_MATCH_1}> is not a standard header on the allowed list")
      endif()
    elseif(line MATCHES "#[ \t]*include[ \t]*\"([^\"]+)\"")
      set(header "${CMAKE_MATCH_1}")  # the next MATCHES resets CMAKE_MATCH_1
      if(NOT header MATCHES "^engine/")
        string(APPEND failures "\n  ${f}: \"${header}\" is outside engine/")
      elseif(NOT RUNTIME AND header MATCHES "^engine/runtime/")
        string(APPEND failures "\n  ${f}: the core includes the runtime \"${header}\"")
      endif()
    endif()
  endforeach()
endforeach()
if(failures)
  message(FATAL_ERROR "engine/ must include only the standard library:${failures}")
endif()
