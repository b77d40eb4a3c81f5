// SPDX-License-Identifier: MIT
#include "app/connectdialog.h"

#include "core/decode/clickdecoder.h"
#include "ui_connectdialog.h"

#include <QDateTime>
#include <QFontDatabase>
#include <QPushButton>
#include <QRegularExpression>

namespace Clickscope {

namespace {

QString viewText(QByteArrayView text) { return text.isEmpty() ? QStringLiteral("—") : QString::fromUtf8(text); }

}   // namespace

ConnectDialog::ConnectDialog(QWidget *parent) : QDialog(parent), m_ui(std::make_unique<Ui::ConnectDialog>())
{
    m_ui->setupUi(this);
    m_ui->buttons->button(QDialogButtonBox::Ok)->setText(tr("&Connect"));
    m_ui->urlCombo->lineEdit()->setPlaceholderText(QStringLiteral("http://127.0.0.1:8080/events"));
    m_ui->urlCombo->lineEdit()->setClearButtonEnabled(true);
    m_ui->previewLabel->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_ui->sampleEdit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_ui->sampleEdit->setMaximumHeight(fontMetrics().height() * 7);
    m_ui->problemLabel->setStyleSheet(QStringLiteral("color: #c0392b; font-weight: bold;"));

    for (int i = 0; i < FieldMapping::kFieldCount; ++i) {
        const auto field = FieldMapping::Field(i);
        auto *edit = new QLineEdit(this);
        edit->setObjectName(FieldMapping::fieldName(field) + QStringLiteral("MappingEdit"));
        edit->setPlaceholderText(tr("detected"));
        edit->setClearButtonEnabled(true);
        m_ui->mappingForm->addRow(FieldMapping::fieldName(field), edit);
        m_mappingEdits[i] = edit;
        connect(edit, &QLineEdit::textChanged, this, &ConnectDialog::revalidate);
    }

    connect(m_ui->urlCombo, &QComboBox::editTextChanged, this, &ConnectDialog::revalidate);
    connect(m_ui->methodCombo, &QComboBox::currentTextChanged, this, &ConnectDialog::revalidate);
    connect(m_ui->headersEdit, &QPlainTextEdit::textChanged, this, &ConnectDialog::revalidate);
    connect(m_ui->bodyEdit, &QPlainTextEdit::textChanged, this, &ConnectDialog::revalidate);
    connect(m_ui->lastEventIdEdit, &QLineEdit::textChanged, this, &ConnectDialog::revalidate);
    connect(m_ui->doneMarkerEdit, &QLineEdit::textChanged, this, &ConnectDialog::revalidate);
    connect(m_ui->checksEdit, &QLineEdit::textChanged, this, &ConnectDialog::revalidate);
    connect(m_ui->sampleEdit, &QPlainTextEdit::textChanged, this, &ConnectDialog::updatePreview);
    connect(m_ui->buttons, &QDialogButtonBox::accepted, this, [this] {
        if (m_problem.isEmpty())
            accept();
    });
    connect(m_ui->buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    revalidate();
}

ConnectDialog::~ConnectDialog() = default;

QLineEdit *ConnectDialog::urlEdit() const { return m_ui->urlCombo->lineEdit(); }

void ConnectDialog::setRecentUrls(const QStringList &urls)
{
    const QString current = m_ui->urlCombo->currentText();
    m_ui->urlCombo->clear();
    m_ui->urlCombo->addItems(urls);
    m_ui->urlCombo->setEditText(current);
}

void ConnectDialog::setRequest(const StreamRequest &request)
{
    const SourceConfig &config = request.config;
    m_ui->urlCombo->setEditText(config.url.toString());
    m_ui->methodCombo->setCurrentText(QString::fromLatin1(config.method));
    QStringList headers;
    for (const HttpHeader &header : config.headers)
        headers << QString::fromUtf8(header.first + ": " + header.second);
    m_ui->headersEdit->setPlainText(headers.join(u'\n'));
    m_ui->bodyEdit->setPlainText(QString::fromUtf8(config.body));
    m_ui->lastEventIdEdit->setText(QString::fromUtf8(config.lastEventId));
    m_ui->doneMarkerEdit->setText(config.doneMarker ? QString::fromUtf8(*config.doneMarker) : QString());
    for (int i = 0; i < FieldMapping::kFieldCount; ++i)
        m_mappingEdits[i]->setText(request.mapping.pointer(FieldMapping::Field(i)));
    QStringList checks;
    for (const StreamCheck &check : request.checks)
        checks << check.text();
    m_ui->checksEdit->setText(checks.join(u' '));
    revalidate();
}

void ConnectDialog::setSample(const QByteArray &eventType, const QByteArray &data)
{
    m_sampleType = eventType.isEmpty() ? QByteArray("message") : eventType;
    m_ui->sampleEdit->setPlainText(QString::fromUtf8(data));   // updates the preview
}

StreamRequest ConnectDialog::request() const { return m_request; }

QString ConnectDialog::previewText() const { return m_ui->previewLabel->text(); }

void ConnectDialog::revalidate()
{
    StreamRequest request;
    SourceConfig &config = request.config;
    QString problem;
    const QString urlText = m_ui->urlCombo->currentText().trimmed();
    config.url = streamUrlFromText(urlText);
    if (urlText.isEmpty())
        problem = tr("Enter the URL of a stream.");
    else if (const Result<void> usable = checkStreamUrl(config.url); !usable)
        problem = usable.error();

    config.method = m_ui->methodCombo->currentText().toLatin1();
    const QStringList headerLines = m_ui->headersEdit->toPlainText().split(u'\n');
    for (qsizetype i = 0; i < headerLines.size(); ++i) {
        if (headerLines.at(i).trimmed().isEmpty())
            continue;
        const auto header = parseHeaderLine(headerLines.at(i));
        if (!header) {
            if (problem.isEmpty())
                problem = tr("Header on line %1: %2").arg(i + 1).arg(header.error());
            continue;
        }
        config.headers.append(*header);
    }
    config.body = m_ui->bodyEdit->toPlainText().toUtf8();
    if (!config.body.isEmpty() && config.method == "GET" && problem.isEmpty())
        problem = tr("A request body needs the POST method.");
    config.lastEventId = m_ui->lastEventIdEdit->text().toUtf8();
    if (const QString done = m_ui->doneMarkerEdit->text(); !done.isEmpty())
        config.doneMarker = done.toUtf8();

    for (int i = 0; i < FieldMapping::kFieldCount; ++i) {
        const auto field = FieldMapping::Field(i);
        const Result<void> mapped = request.mapping.setPointer(field, m_mappingEdits[i]->text().trimmed());
        if (!mapped && problem.isEmpty())
            problem = tr("Mapping of %1: %2").arg(FieldMapping::fieldName(field), mapped.error());
    }

    static const QRegularExpression kSpaces(QStringLiteral("\\s+"));
    const QStringList checkTexts = m_ui->checksEdit->text().split(kSpaces, Qt::SkipEmptyParts);
    if (auto checks = StreamCheck::parseAll(checkTexts); !checks) {
        if (problem.isEmpty())
            problem = tr("Checks: %1").arg(checks.error());
    } else {
        request.checks = std::move(*checks);
    }

    m_request = request;
    m_problem = problem;
    m_ui->problemLabel->setText(problem);
    m_ui->problemLabel->setVisible(!problem.isEmpty());
    m_ui->buttons->button(QDialogButtonBox::Ok)->setEnabled(problem.isEmpty());
    updatePreview();
}

void ConnectDialog::updatePreview()
{
    const QByteArray data = m_ui->sampleEdit->toPlainText().toUtf8();
    if (data.trimmed().isEmpty()) {
        m_ui->previewLabel->setText(tr("No sample yet: paste an event's data to see how it decodes."));
        return;
    }
    // Decoded with the mapping as typed so far; a field whose pointer is invalid stays detected.
    ClickDecoder decoder(m_request.mapping);
    ClickView click;
    SnapshotView snapshot;
    QString text;
    switch (decoder.decode(m_sampleType, data, click, snapshot)) {
    case DecodeResult::Click: {
        text = tr("Click\n");
        text += tr("  link      %1\n").arg(viewText(click.link));
        text += tr("  country   %1\n").arg(viewText(click.country));
        text += tr("  referrer  %1\n").arg(viewText(click.referrer));
        text += tr("  device    %1\n").arg(viewText(click.device));
        text += tr("  browser   %1\n").arg(viewText(click.browser));
        text += tr("  time      %1\n")
                    .arg(click.timestampMs == ClickView::kNoTime
                             ? QStringLiteral("—")
                             : QDateTime::fromMSecsSinceEpoch(click.timestampMs, Qt::UTC)
                                   .toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz 'UTC'")));
        text +=
            tr("  id        %1")
                .arg(click.sequence == ClickView::kNoSequence ? QStringLiteral("—") : QString::number(click.sequence));
        break;
    }
    case DecodeResult::Snapshot:
        text = tr("Snapshot: %1 clicks so far").arg(snapshot.clickCount);
        break;
    case DecodeResult::NotClick:
        text = tr("Not a click: counted as another event and shown raw.");
        break;
    case DecodeResult::Undecodable:
        text = tr("Undecodable: %1").arg(decoder.lastError());
        break;
    }
    m_ui->previewLabel->setText(text);
}

}   // namespace Clickscope
