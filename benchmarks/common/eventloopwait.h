// SPDX-License-Identifier: MIT
#pragma once

#include <QElapsedTimer>
#include <QEventLoop>
#include <QTimer>

#include <functional>

namespace Clickscope::Bench {

// Runs the event loop until `done` holds or `deadlineMs` passed (checked every few ms, so a
// drip of a byte a millisecond runs at its pace); true when it held.
inline bool runUntil(const std::function<bool()> &done, qint64 deadlineMs)
{
    QElapsedTimer clock;
    clock.start();
    while (!done()) {
        if (clock.elapsed() >= deadlineMs)
            return false;
        QEventLoop loop;
        QTimer::singleShot(5, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return true;
}

// Runs the event loop for `ms`.
inline void runFor(qint64 ms)
{
    runUntil([] { return false; }, ms);
}

}   // namespace Clickscope::Bench
