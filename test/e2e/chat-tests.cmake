# End-to-end tests of the chat service against the real confab binary, with the stock
# socket.io-client and Node's built-in test runner: one ctest test per test/e2e/chat-*.test.js
# (e2e_chat_rest, e2e_chat_auth, ...). Each file starts its own confab on a free port
# (--port 0) with a fresh temp data dir, so they run in parallel (ctest -j). Included from
# test/e2e/CMakeLists.txt; the npm packages come from scripts/setup.sh (npm ci in test/e2e).

if(NOT NODE_EXECUTABLE)
    find_program(NODE_EXECUTABLE NAMES node nodejs)
endif()

set(confab_chat_e2e_files
    chat-rest
    chat-auth
    chat-events
    chat-errors
    chat-presence
    chat-membership
    chat-ratelimit
    chat-restart
    chat-concurrency
    chat-limits
    chat-slow-consumer
)
foreach(file IN LISTS confab_chat_e2e_files)
    string(REPLACE "-" "_" name ${file})
    if(NODE_EXECUTABLE)
        add_test(NAME e2e_${name}
                 COMMAND ${NODE_EXECUTABLE} --test --test-reporter=spec ${file}.test.js
                 WORKING_DIRECTORY ${CMAKE_CURRENT_LIST_DIR})
    else()
        add_test(NAME e2e_${name}
                 COMMAND sh -c "echo 'e2e: node not found; run scripts/setup.sh' >&2; exit 1")
    endif()
    set_tests_properties(e2e_${name} PROPERTIES
                         ENVIRONMENT "CONFAB_BIN=$<TARGET_FILE:confab>"
                         TIMEOUT 300
                         LABELS "e2e;chat")
endforeach()
