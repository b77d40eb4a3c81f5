// SPDX-License-Identifier: MIT
#include "mainwindow.h"

#include "counterspanel.h"
#include "eventinspector.h"
#include "rankingpanel.h"
#include "ratechartview.h"
#include "ui_mainwindow.h"

namespace Clickscope {

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent), m_ui(std::make_unique<Ui::MainWindow>())
{
    m_ui->setupUi(this);
    m_ui->mainSplitter->setStretchFactor(0, 4);
    m_ui->mainSplitter->setStretchFactor(1, 3);
    m_ui->mainSplitter->setStretchFactor(2, 3);
    m_ui->statusBar->showMessage(tr("Not connected"));

    connect(m_ui->connectButton, &QPushButton::clicked, this, &MainWindow::toggleConnection);
    connect(m_ui->urlEdit, &QLineEdit::returnPressed, this, &MainWindow::toggleConnection);
    connect(&m_pipeline, &ClickPipeline::snapshotReady, this, &MainWindow::onSnapshot);
    connect(&m_pipeline, &ClickPipeline::stateChanged, this, &MainWindow::onStateChanged);
    connect(&m_pipeline, &ClickPipeline::failed, this, [this](const QString &message) {
        m_lastError = message;
        showMessage(message, true);
    });
    connect(&m_pipeline, &ClickPipeline::reconnectScheduled, this, [this](qint64 delayMs, const QString &reason) {
        if (m_active)
            m_ui->statusBar->showMessage(tr("Retrying in %1 s: %2").arg(double(delayMs) / 1000.0, 0, 'f', 1).arg(reason));
    });
}

MainWindow::~MainWindow() = default;

CountersPanel *MainWindow::countersPanel() const { return m_ui->countersPanel; }
RateChartView *MainWindow::rateChart() const { return m_ui->rateChart; }
RankingPanel *MainWindow::rankingPanel() const { return m_ui->rankingPanel; }
EventInspector *MainWindow::eventInspector() const { return m_ui->eventInspector; }

void MainWindow::toggleConnection()
{
    if (isConnected()) {
        disconnectFromStream();
        return;
    }
    connectTo(QUrl(m_ui->urlEdit->text().trimmed(), QUrl::StrictMode));
}

void MainWindow::connectTo(const QUrl &url, const QList<HttpHeader> &headers)
{
    m_ui->urlEdit->setText(url.toString());
    if (const QString problem = validateStreamUrl(url); !problem.isEmpty()) {
        disconnectFromStream();
        showMessage(problem, true);
        return;
    }
    SourceConfig config;
    config.url = url;
    config.headers = headers;
    m_url = url;
    m_lastError.clear();
    m_active = true;
    m_state = StreamSource::State::Connecting;   // until the worker says otherwise
    m_ui->connectButton->setText(tr("&Disconnect"));
    m_ui->statusBar->showMessage(tr("Connecting to %1…").arg(url.toString()));
    showMessage({}, false);
    m_pipeline.connectTo(config);   // replaces any current stream
}

void MainWindow::disconnectFromStream()
{
    if (!m_active)
        return;
    m_active = false;
    m_pipeline.disconnectStream();
    m_ui->connectButton->setText(tr("&Connect"));
    m_ui->statusBar->showMessage(tr("Disconnected"));
}

void MainWindow::onSnapshot(const DashboardSnapshotPtr &snapshot)
{
    if (!snapshot)
        return;
    m_snapshot = snapshot;
    m_ui->countersPanel->applySnapshot(*snapshot);
    m_ui->rateChart->applySnapshot(*snapshot);
    m_ui->rankingPanel->applySnapshot(*snapshot);
    m_ui->eventInspector->applySnapshot(*snapshot);
}

void MainWindow::onStateChanged(StreamSource::State state)
{
    m_state = state;
    if (!m_active)
        return;   // the closing of a stream the user disconnected: "Disconnected" stays
    switch (state) {
    case StreamSource::State::Connecting:
        m_ui->connectButton->setText(tr("&Disconnect"));
        m_ui->statusBar->showMessage(tr("Connecting to %1…").arg(m_url.toString()));
        break;
    case StreamSource::State::Open:
        m_ui->connectButton->setText(tr("&Disconnect"));
        m_ui->statusBar->showMessage(tr("Open: %1").arg(m_url.toString()));
        m_lastError.clear();
        showMessage({}, false);
        break;
    case StreamSource::State::Closed:
        m_ui->connectButton->setText(tr("&Connect"));
        m_ui->statusBar->showMessage(m_lastError.isEmpty() ? tr("Closed") : tr("Closed: %1").arg(m_lastError));
        break;
    }
}

void MainWindow::showMessage(const QString &text, bool isError)
{
    m_ui->messageLabel->setText(text);
    m_ui->messageLabel->setStyleSheet(isError ? QStringLiteral("color: #c0392b; font-weight: bold;") : QString());
    m_ui->messageLabel->setVisible(!text.isEmpty());
}

} // namespace Clickscope
