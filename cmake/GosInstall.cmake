# `cmake --install build --prefix P`: the gos command, the framework library,
# the LibTorch layer (when built), every shipped plugin with its manifest, the
# public headers, and the CMake package (find_package(gos CONFIG)):
#
#   P/bin/gos
#   P/lib/libgos_framework.so, libgos_torch.so
#   P/lib/gos/libgos_torch_commands.so       (loaded by gos on demand)
#   P/lib/gos/plugins/libgos_*.so(.manifest) (found by the installed gos)
#   P/include/gos/framework/*.h, P/include/gos/torchlib/*.h
#   P/lib/cmake/gos/                         (gosConfig.cmake, targets, gos_add_plugin)
include(CMakePackageConfigHelpers)
set(GOS_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/gos)

set(gos_targets gos_framework gos)
if(GOS_WITH_TORCH)
  list(APPEND gos_targets gos_torch)
endif()
install(TARGETS ${gos_targets} EXPORT gosTargets
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/gos)
set_target_properties(gos_framework PROPERTIES INSTALL_RPATH "\$ORIGIN")
if(GOS_WITH_TORCH)
  set_target_properties(gos_torch PROPERTIES INSTALL_RPATH "\$ORIGIN" INSTALL_RPATH_USE_LINK_PATH TRUE)
  set_target_properties(gos_torch_commands PROPERTIES INSTALL_RPATH_USE_LINK_PATH TRUE)
  install(TARGETS gos_torch_commands LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}/gos)
endif()

# Shipped plugins: gos_add_plugin() installs them when GOS_PLUGIN_INSTALL_DIR
# is set, which it is for the whole tree (CMakeLists.txt); nothing to add here.

install(DIRECTORY ${PROJECT_SOURCE_DIR}/framework DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/gos
        FILES_MATCHING PATTERN "*.h")
install(FILES ${PROJECT_BINARY_DIR}/include/framework/build_info.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/gos/framework)
if(GOS_WITH_TORCH)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/torchlib DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/gos
          FILES_MATCHING PATTERN "*.h" PATTERN "pch.h" EXCLUDE)
endif()

install(EXPORT gosTargets NAMESPACE gos:: DESTINATION ${GOS_INSTALL_CMAKEDIR})
set(GOS_CONFIG_WITH_TORCH ${GOS_WITH_TORCH})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/gosConfig.cmake.in
  ${PROJECT_BINARY_DIR}/gosConfig.cmake INSTALL_DESTINATION ${GOS_INSTALL_CMAKEDIR}
  PATH_VARS GOS_PLUGIN_INSTALL_DIR CMAKE_INSTALL_INCLUDEDIR)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/gosConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/gosConfig.cmake ${PROJECT_BINARY_DIR}/gosConfigVersion.cmake
        ${PROJECT_SOURCE_DIR}/cmake/GosPluginFunctions.cmake
        DESTINATION ${GOS_INSTALL_CMAKEDIR})
