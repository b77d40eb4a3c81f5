// SPDX-License-Identifier: MIT
#pragma once

#include "app/savedrequest.h"
#include "core/result.h"

#include <QByteArray>
#include <QList>
#include <QString>

namespace Clickscope {

// What File ▸ Save workspace writes and Open workspace reads back: the window's streams (each
// request without its secrets, its name, whether it was connected, and the keyring entry its
// secrets went to), which one was shown, and the layout. A JSON file; reading one checks every
// value, since it may come from anywhere.
struct Workspace
{
    static constexpr qint64 kMaxFileBytes = 4 * 1024 * 1024;
    static constexpr int kVersion = 1;

    struct Stream
    {
        QString name;   // empty: the one made from the URL
        SavedRequest saved;
        bool connected = false;
        QString secretsKey;   // the keyring entry of its secrets; empty when it had none
    };
    QList<Stream> streams;
    int current = 0;         // the stream shown
    bool overview = false;   // the overview was shown rather than that stream
    int chartWindowSeconds = 0;
    QByteArray geometry;      // QWidget::saveGeometry()
    QByteArray windowState;   // QMainWindow::saveState(): docks and toolbars
    QByteArray mainSplitter;
    QByteArray chartsSplitter;

    // Writes the file whole or not at all.
    Result<void> save(const QString &path) const;
    // The error says what is wrong with the file. Streams past `maxStreams` are an error, not
    // dropped in silence.
    static Result<Workspace> load(const QString &path, int maxStreams);
};

}   // namespace Clickscope
