# Helpers for GOS's own tree (not installed): tests and the LibTorch
# precompiled header. gos_add_plugin comes from GosPluginFunctions.cmake.

# gos_add_test(<target> SOURCES <files...> [LIBS <libs...>])
# One GoogleTest executable whose tests are registered with CTest one by one.
function(gos_add_test target)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${target} ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE gos_framework GTest::gtest GTest::gtest_main ${ARG_LIBS})
  target_compile_definitions(${target} PRIVATE
    GOS_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    GOS_BINARY_DIR="${PROJECT_BINARY_DIR}"
    GOS_PLUGIN_DIR="${GOS_PLUGIN_DIR}")
  gtest_discover_tests(${target} DISCOVERY_TIMEOUT 60 PROPERTIES TIMEOUT 600)
endfunction()

# gos_use_torch(<target>): link the LibTorch layer and reuse its precompiled
# header. Every target that includes torch headers must call this.
# GCC silently ignores a PCH built with another code model, and then parses
# all of torch again; gos_torch's PCH is built with -fPIC (and without an
# export macro, see torchlib/CMakeLists.txt), so every user compiles with
# -fPIC too, executables included.
function(gos_use_torch target)
  if(NOT GOS_WITH_TORCH)
    message(FATAL_ERROR "gos_use_torch(${target}) in a build without LibTorch: "
                        "guard the target with if(GOS_WITH_TORCH)")
  endif()
  target_link_libraries(${target} PRIVATE gos_torch)
  target_precompile_headers(${target} REUSE_FROM gos_torch)
  set_target_properties(${target} PROPERTIES POSITION_INDEPENDENT_CODE OFF)
  target_compile_options(${target} PRIVATE -fPIC -Winvalid-pch)
endfunction()
