# clickscope_add_test(<name> LABEL <area> LIBS <targets...> [SOURCES <extra...>] [TIMEOUT s])
# One call per tst_<name>.cpp. A missing source is a configure error, never a silent skip.
function(clickscope_add_test name)
  cmake_parse_arguments(ARG "" "LABEL;TIMEOUT" "LIBS;SOURCES" ${ARGN})
  set(source ${CMAKE_CURRENT_SOURCE_DIR}/tst_${name}.cpp)
  if(NOT EXISTS ${source})
    message(FATAL_ERROR "clickscope_add_test(${name}): ${source} does not exist")
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  qt_add_executable(tst_${name} ${source} ${ARG_SOURCES})
  target_link_libraries(tst_${name} PRIVATE ${ARG_LIBS} Qt6::Test)
  target_compile_definitions(tst_${name} PRIVATE QT_FORCE_ASSERTS)
  clickscope_set_warnings(tst_${name})
  add_test(NAME ${name} COMMAND tst_${name})
  set_tests_properties(${name} PROPERTIES
    TIMEOUT ${ARG_TIMEOUT}
    LABELS "${ARG_LABEL}"
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen")
endfunction()

# Benchmarks are plain executables: built with everything, never registered with ctest.
function(clickscope_add_benchmark name)
  cmake_parse_arguments(ARG "" "" "LIBS;SOURCES" ${ARGN})
  qt_add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS})
  # All in build/benchmarks, wherever they are defined: the run scripts look there.
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/benchmarks)
  clickscope_set_warnings(${name})
endfunction()
