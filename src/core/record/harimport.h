// SPDX-License-Identifier: MIT
#pragma once

#include "core/result.h"

#include <QString>
#include <QStringList>

namespace Clickscope {

// What an import made of a HAR.
struct HarImportSummary
{
    QString url;                 // of the stream imported, secrets masked
    QString transport;           // "websocket" or "sse"
    qsizetype entry = 0;         // its place among the HAR's entries, from 1
    qsizetype messages = 0;      // WebSocket messages, or SSE events, written
    bool evenlySpaced = false;   // the HAR held no time per event: they are spread over the response
    QStringList notes;           // what was left out, and why
};

// Turns one stream of a HAR file (as a browser's network panel saves it) into a recording at
// `recordingPath`: a WebSocket's received messages (Chromium's `_webSocketMessages`) with their
// times, or an event-stream response, from its body (`response.content.text`, its events spread
// evenly over the response's receive time, as the HAR has no time per event) or from Chromium's
// `_eventSourceMessages` with their times. `entry` (from 1) chooses among several streams; 0
// takes the only one. A HAR without a stream, or with content of another kind, is refused with a
// message that says what it holds. HAR files over kMaxHarBytes are refused.
class HarImport
{
public:
    static constexpr qint64 kMaxHarBytes = 128 * 1024 * 1024;

    static Result<HarImportSummary> toRecording(const QString &harPath, const QString &recordingPath,
                                                qsizetype entry = 0);
};

}   // namespace Clickscope
