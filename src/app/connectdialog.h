// SPDX-License-Identifier: MIT
#pragma once

#include "app/streamrequest.h"

#include <QDialog>
#include <QLineEdit>

#include <array>
#include <memory>

namespace Ui {
class ConnectDialog;
}

namespace Clickscope {

// Edits a StreamRequest: URL (with recent ones), method, headers, body, Last-Event-ID, the end
// marker and the field mapping, with a live preview of how a sample event decodes under that
// mapping. Connect stays disabled while anything is wrong, and the first problem is shown in
// words, so a bad URL or header never reaches the stream.
class ConnectDialog : public QDialog
{
    Q_OBJECT
public:
    explicit ConnectDialog(QWidget *parent = nullptr);
    ~ConnectDialog() override;

    void setRecentUrls(const QStringList &urls);
    // Fills every field from `request`.
    void setRequest(const StreamRequest &request);
    // The event the preview decodes, normally the last one received.
    void setSample(const QByteArray &eventType, const QByteArray &data);

    // The request as the fields say; meaningful when problem() is empty.
    StreamRequest request() const;
    // The first thing wrong with the fields, empty when they can be connected with.
    QString problem() const { return m_problem; }
    // The preview's text, as shown.
    QString previewText() const;

    QLineEdit *urlEdit() const;
    QLineEdit *mappingEdit(FieldMapping::Field field) const { return m_mappingEdits[int(field)]; }

private:
    void revalidate();
    void updatePreview();

    std::unique_ptr<Ui::ConnectDialog> m_ui;
    std::array<QLineEdit *, FieldMapping::kFieldCount> m_mappingEdits{};
    QByteArray m_sampleType = "message";
    StreamRequest m_request;
    QString m_problem;
};

}   // namespace Clickscope
