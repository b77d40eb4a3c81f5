// SPDX-License-Identifier: MIT
#include "app/recordingopener.h"

#include "core/record/harimport.h"

#include <QFileInfo>
#include <QTemporaryDir>

namespace Clickscope {

RecordingOpener::RecordingOpener() = default;
RecordingOpener::~RecordingOpener() = default;

Result<RecordingOpener::Opened> RecordingOpener::open(const QString &path)
{
    if (!path.endsWith(QStringLiteral(".har"), Qt::CaseInsensitive))
        return Opened{path, false, {}};
    if (!m_imports)
        m_imports = std::make_unique<QTemporaryDir>();
    const QString recording = m_imports->filePath(QFileInfo(path).completeBaseName() + QStringLiteral(".csrec"));
    const Result<HarImportSummary> imported = HarImport::toRecording(path, recording);
    if (!imported)
        return unexpected(imported.error());
    return Opened{recording, true, imported->notes};
}

}   // namespace Clickscope
