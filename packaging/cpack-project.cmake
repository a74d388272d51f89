# Included by cpack once per generator (CPACK_PROJECT_CONFIG_FILE): each package family gets
# the systemd unit where its systemd looks for it.
if(CPACK_GENERATOR STREQUAL "DEB")
    set(CPACK_COMPONENTS_ALL Unspecified confab_package confab_unit_deb)
elseif(CPACK_GENERATOR STREQUAL "RPM")
    set(CPACK_COMPONENTS_ALL Unspecified confab_package confab_unit_rpm)
endif()
