// SPDX-License-Identifier: MIT
#pragma once

#include "core/result.h"

#include <QString>
#include <QStringList>

#include <memory>

class QTemporaryDir;

namespace Clickscope {

// What the window and the demo panel open as a recording: a recording as it is, or a browser's
// HAR, imported into a recording that lives in a folder of its own as long as the opener.
class RecordingOpener
{
public:
    struct Opened
    {
        QString recording;       // the file to play
        bool imported = false;   // made from a HAR
        QStringList notes;       // what an import left out, and why
    };

    RecordingOpener();
    ~RecordingOpener();

    Result<Opened> open(const QString &path);

private:
    std::unique_ptr<QTemporaryDir> m_imports;
};

}   // namespace Clickscope
