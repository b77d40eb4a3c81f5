// SPDX-License-Identifier: MIT
#include "mainwindow.h"

#include "source/sourcefactory.h"
#include "ui_mainwindow.h"

#include <QFont>
#include <QLocale>
#include <QTime>

namespace Clickscope {
namespace {

constexpr int kDisplayHz = 30;
constexpr qsizetype kShownEvents = 200;     // lines kept per refresh; the view holds 500
constexpr qsizetype kShownDataBytes = 300;  // a long event is cut in the list, not in the data
constexpr qint64 kRateWindowMs = 1000;

QString describe(const SseEvent &event)
{
    QByteArrayView data = event.data();
    const bool cut = data.size() > kShownDataBytes;
    if (cut)
        data = data.first(kShownDataBytes);
    QString line = QTime::currentTime().toString(QStringLiteral("HH:mm:ss.zzz")) + QStringLiteral("  ")
        + event.typeString();
    if (!event.lastEventId().isEmpty())
        line += QStringLiteral(" #") + event.lastEventIdString();
    line += QStringLiteral("  ") + QString::fromUtf8(data).replace(u'\n', u'⏎');
    if (cut)
        line += u'…';
    return line;
}

} // namespace

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent), m_ui(std::make_unique<Ui::MainWindow>())
{
    m_ui->setupUi(this);
    QFont big = font();
    big.setPointSizeF(big.pointSizeF() * 2.2);
    big.setBold(true);
    for (QLabel *label : {m_ui->eventCountLabel, m_ui->rateLabel, m_ui->bytesLabel, m_ui->commentCountLabel})
        label->setFont(big);
    m_ui->lastEventsView->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_ui->statusBar->showMessage(tr("Not connected"));

    connect(m_ui->connectButton, &QPushButton::clicked, this, &MainWindow::toggleConnection);
    connect(m_ui->urlEdit, &QLineEdit::returnPressed, this, &MainWindow::toggleConnection);
    connect(&m_displayTick, &QTimer::timeout, this, &MainWindow::refresh);
    m_displayTick.start(1000 / kDisplayHz);
    m_rateClock.start();
}

MainWindow::~MainWindow() = default;

void MainWindow::toggleConnection()
{
    if (m_source && m_source->state() != StreamSource::State::Closed) {
        disconnectFromStream();
        return;
    }
    connectTo(QUrl(m_ui->urlEdit->text().trimmed(), QUrl::StrictMode));
}

void MainWindow::connectTo(const QUrl &url, const QList<HttpHeader> &headers)
{
    disconnectFromStream();
    m_ui->urlEdit->setText(url.toString());
    if (const QString problem = validateStreamUrl(url); !problem.isEmpty()) {
        showMessage(problem, true);
        return;
    }
    SourceConfig config;
    config.url = url;
    config.headers = headers;
    m_source = createSource(config);
    connect(m_source.get(), &StreamSource::eventsReceived, this, &MainWindow::onEvents);
    connect(m_source.get(), &StreamSource::stateChanged, this, &MainWindow::onStateChanged);
    connect(m_source.get(), &StreamSource::commentsReceived, this, [this](quint64 total, const QString &) {
        m_comments = total;
        m_dirty = true;
    });
    connect(m_source.get(), &StreamSource::failed, this,
            [this](StreamSource::Error, const QString &message) { showMessage(message, true); });
    connect(m_source.get(), &StreamSource::reconnectScheduled, this, [this](qint64 delayMs, const QString &reason) {
        m_ui->statusBar->showMessage(tr("Retrying in %1 s: %2").arg(double(delayMs) / 1000.0, 0, 'f', 1).arg(reason));
    });
    showMessage({}, false);
    m_source->open();
}

void MainWindow::disconnectFromStream()
{
    if (!m_source)
        return;
    m_source->disconnect(this);
    m_source->close();
    m_source.reset();
    m_ui->connectButton->setText(tr("&Connect"));
    m_ui->statusBar->showMessage(tr("Disconnected"));
}

void MainWindow::onEvents(const QList<SseEvent> &events)
{
    m_events += quint64(events.size());
    // Only the newest events can be seen, so only they are turned into text.
    const qsizetype first = std::max<qsizetype>(0, events.size() - kShownEvents);
    for (qsizetype i = first; i < events.size(); ++i)
        m_pendingLines.append(describe(events[i]));
    if (m_pendingLines.size() > kShownEvents)
        m_pendingLines.remove(0, m_pendingLines.size() - kShownEvents);
    m_dirty = true;
}

void MainWindow::onStateChanged(StreamSource::State state)
{
    const QString url = m_source ? m_source->config().url.toString() : QString();
    switch (state) {
    case StreamSource::State::Connecting:
        m_ui->connectButton->setText(tr("&Disconnect"));
        m_ui->statusBar->showMessage(tr("Connecting to %1…").arg(url));
        break;
    case StreamSource::State::Open:
        m_ui->connectButton->setText(tr("&Disconnect"));
        m_ui->statusBar->showMessage(tr("Open: %1").arg(url));
        showMessage({}, false);
        break;
    case StreamSource::State::Closed:
        m_ui->connectButton->setText(tr("&Connect"));
        m_ui->statusBar->showMessage(m_source && m_source->error() != StreamSource::Error::NoError
                                         ? tr("Closed: %1").arg(m_source->errorString())
                                         : tr("Closed"));
        break;
    }
}

void MainWindow::showMessage(const QString &text, bool isError)
{
    m_ui->messageLabel->setText(text);
    m_ui->messageLabel->setStyleSheet(isError ? QStringLiteral("color: #c0392b; font-weight: bold;") : QString());
    m_ui->messageLabel->setVisible(!text.isEmpty());
}

void MainWindow::refresh()
{
    const qint64 elapsed = m_rateClock.elapsed();
    if (elapsed >= kRateWindowMs) {
        m_rate = double(m_events - m_eventsAtLastRate) * 1000.0 / double(elapsed);
        m_eventsAtLastRate = m_events;
        m_rateClock.restart();
        m_ui->rateLabel->setText(QLocale().toString(m_rate, 'f', m_rate < 10 ? 1 : 0));
    }
    if (!m_dirty)
        return;
    m_dirty = false;
    const QLocale locale;
    m_ui->eventCountLabel->setText(locale.toString(m_events));
    m_ui->commentCountLabel->setText(locale.toString(m_comments));
    m_ui->bytesLabel->setText(locale.formattedDataSize(m_source ? qint64(m_source->totalBytes()) : 0));
    if (!m_pendingLines.isEmpty()) {
        m_ui->lastEventsView->appendPlainText(m_pendingLines.join(u'\n'));
        m_pendingLines.clear();
    }
}

} // namespace Clickscope
