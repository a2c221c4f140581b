# gos_add_plugin(<target> [TORCH] SOURCES <files...> [LIBS <libs...>] [OUTPUT_DIRECTORY <dir>])
#
# Builds a GOS plugin: a MODULE library named libgos_<target>.so that links
# the framework shared library (so that interface type information is shared
# with the host), and writes its manifest beside it. The manifest holds the
# plugin's name, kind, version, build tag and parameter schema, so that `gos`
# can list and validate plugins without loading them (a plugin that links
# LibTorch is then loaded only when an experiment creates it).
#
# TORCH links the GOS LibTorch layer (gos::torch). The library lands in
# OUTPUT_DIRECTORY, by default GOS_PLUGIN_DIR when set (the GOS build tree
# sets it) or <build>/plugins, the directory to pass to `gos --plugin-path`
# or GOS_PLUGIN_PATH. `cmake --install` puts it in <prefix>/lib/gos/plugins.
#
# This file serves both GOS's own tree and out-of-tree plugins, which get it
# from `find_package(gos CONFIG REQUIRED)`.
function(gos_add_plugin target)
  cmake_parse_arguments(ARG "TORCH" "OUTPUT_DIRECTORY" "SOURCES;LIBS" ${ARGN})
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "gos_add_plugin(${target}): SOURCES is required")
  endif()
  if(ARG_TORCH AND NOT TARGET gos::torch)
    message(FATAL_ERROR "gos_add_plugin(${target} TORCH): this GOS was built without LibTorch "
                        "(GOS_WITH_TORCH=OFF), so gos::torch does not exist")
  endif()
  set(output_dir ${ARG_OUTPUT_DIRECTORY})
  if(NOT output_dir)
    if(GOS_PLUGIN_DIR)
      set(output_dir ${GOS_PLUGIN_DIR})
    else()
      set(output_dir ${CMAKE_BINARY_DIR}/plugins)
    endif()
  endif()
  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE gos::framework ${ARG_LIBS})
  if(ARG_TORCH)
    target_link_libraries(${target} PRIVATE gos::torch)
  endif()
  set_target_properties(${target} PROPERTIES
    PREFIX "libgos_"
    LIBRARY_OUTPUT_DIRECTORY ${output_dir}
    # Installed plugins find libgos_framework / libgos_torch two levels up.
    INSTALL_RPATH "\$ORIGIN/../..")
  if(NOT GOS_NO_PLUGIN_MANIFESTS)
    add_custom_command(TARGET ${target} POST_BUILD
      COMMAND $<TARGET_FILE:gos::gos> plugin-manifest $<TARGET_FILE:${target}>
      COMMENT "Writing the manifest of plugin ${target}"
      VERBATIM)
  endif()
  set_property(GLOBAL APPEND PROPERTY GOS_PLUGIN_TARGETS ${target})
  if(GOS_PLUGIN_INSTALL_DIR)
    install(TARGETS ${target} LIBRARY DESTINATION ${GOS_PLUGIN_INSTALL_DIR})
    install(FILES $<TARGET_FILE:${target}>.manifest DESTINATION ${GOS_PLUGIN_INSTALL_DIR})
  endif()
endfunction()
