# The Debian package: cpack -G DEB (or cmake --build . --target package)
# in the build directory makes tikstat_VERSION_ARCH.deb, installed under
# /usr with the configuration in /etc/tikstat (a conffile), the systemd
# unit and a system user tikstat made by postinst.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tikstat)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "tikstat")
set(CPACK_PACKAGE_CONTACT "tikstat maintainers <tikstat@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "traffic accounting for MikroTik router interfaces")
set(CPACK_PACKAGE_DESCRIPTION
    "tikstatd polls MikroTik routers over the RouterOS API (or receives their
pushes) and accounts the traffic of their interfaces in SQLite, per 5
minutes, hour, day, month and year; it serves a dashboard, a JSON API and
Prometheus metrics. tikstat reports from the database.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_INSTALL_PREFIX /usr) # with CPACK_SET_DESTDIR
set(CPACK_SET_DESTDIR ON) # /etc/tikstat is outside the prefix
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
# libpq is loaded (dlopen) only for a postgresql:// database: shlibdeps
# cannot see it.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "libpq5")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/cmake/debian/conffiles
    ${PROJECT_SOURCE_DIR}/cmake/debian/postinst
    ${PROJECT_SOURCE_DIR}/cmake/debian/prerm
    ${PROJECT_SOURCE_DIR}/cmake/debian/postrm)
include(CPack)
