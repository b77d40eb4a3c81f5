// SPDX-License-Identifier: MIT
#include "app/publisherpanel.h"

#include "server/demoserver.h"
#include "ui_publisherpanel.h"

#include <QCheckBox>
#include <QClipboard>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QGuiApplication>
#include <QSignalBlocker>

#include <algorithm>
#include <cmath>

namespace Clickscope {

namespace {

constexpr int kStepsPerDecade = 10;
constexpr int kDecades = 5;   // 1 … 100,000

}   // namespace

PublisherPanel::PublisherPanel(DemoServer *demo, QWidget *parent)
    : QWidget(parent)
    , m_ui(std::make_unique<Ui::PublisherPanel>())
    , m_demo(demo)
{
    m_ui->setupUi(this);
    m_ui->rateSlider->setRange(0, kStepsPerDecade * kDecades + 1);
    m_ui->rateSpin->setMaximum(int(DemoServer::kMaxRate));
    m_ui->curlView->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_ui->curlView->setMaximumHeight(fontMetrics().height() * 6);

    connect(m_ui->rateSlider, &QSlider::valueChanged, this,
            [this](int position) { m_demo->setRate(rateAt(position)); });
    connect(m_ui->rateSpin, &QSpinBox::valueChanged, this, [this](int rate) { m_demo->setRate(rate); });
    m_ui->flatRateCheck->setChecked(m_demo->isFlat());
    connect(m_ui->flatRateCheck, &QCheckBox::toggled, m_demo, &DemoServer::setFlat);
    connect(m_demo, &DemoServer::rateChanged, this, &PublisherPanel::refresh);
    connect(m_demo, &DemoServer::runningChanged, this, &PublisherPanel::refresh);
    connect(m_ui->copyCurlButton, &QPushButton::clicked, this,
            [this] { QGuiApplication::clipboard()->setText(curlCommand()); });
    connect(m_ui->stopButton, &QPushButton::clicked, this, &PublisherPanel::stopRequested);
    connect(m_ui->serveRecordingButton, &QPushButton::clicked, this, [this] {
        const QString path =
            QFileDialog::getOpenFileName(this, tr("Serve a recording"), QString(),
                                         tr("Recordings and browser HAR files (*.csrec *.har);;All files (*)"));
        if (!path.isEmpty())
            (void)serveRecording(path);   // the panel says why it cannot
    });
    connect(m_ui->syntheticButton, &QPushButton::clicked, this, [this] { (void)serveRecording({}); });
    connect(m_demo, &DemoServer::servedRecordingChanged, this, &PublisherPanel::refresh);
    refresh();
}

PublisherPanel::~PublisherPanel() = default;

Result<void> PublisherPanel::serveRecording(const QString &path)
{
    RecordingOpener::Opened opened;   // an empty path: synthetic clicks again
    if (!path.isEmpty()) {
        Result<RecordingOpener::Opened> made = m_opener.open(path);
        if (!made) {
            m_ui->servedRecordingLabel->setMessage(made.error());
            return unexpected(made.error());
        }
        opened = *made;
    }
    if (const Result<void> serving = m_demo->serveRecording(opened.recording); !serving) {
        m_ui->servedRecordingLabel->setMessage(serving.error());
        return serving;
    }
    m_shownName = path.isEmpty() ? QString() : QFileInfo(path).fileName();
    m_ui->servedRecordingLabel->setToolTip(opened.notes.join(u'\n'));
    refresh();
    return {};
}

int PublisherPanel::sliderPosition(double rate)
{
    if (!(rate >= 1))
        return 0;
    return std::clamp(int(std::lround(std::log10(rate) * kStepsPerDecade)) + 1, 1, kStepsPerDecade * kDecades + 1);
}

double PublisherPanel::rateAt(int sliderPosition)
{
    if (sliderPosition <= 0)
        return 0;
    return std::round(std::pow(10.0, double(sliderPosition - 1) / kStepsPerDecade));
}

QString PublisherPanel::curlCommand() const
{
    if (!m_demo->isRunning())
        return {};
    return QStringLiteral("curl -sS -X POST -H 'Content-Type: application/json' "
                          "-d "
                          "'{\"link\":\"/hello\",\"country\":\"DE\",\"device\":\"desktop\",\"referrer\":\"https://"
                          "example.org/\"}' %1")
        .arg(m_demo->url(QStringLiteral("/publish")).toString());
}

void PublisherPanel::refresh()
{
    const bool running = m_demo->isRunning();
    const auto show = [running](QLabel *label, const QUrl &url) {
        label->setText(running ? url.toString() : tr("(not running)"));
    };
    QUrl ws = m_demo->url(QStringLiteral("/ws"));
    ws.setScheme(QStringLiteral("ws"));
    show(m_ui->sseUrlLabel, m_demo->url(QStringLiteral("/events")));
    show(m_ui->wsUrlLabel, ws);
    show(m_ui->realtimeUrlLabel, m_demo->url(QStringLiteral("/realtime/hello")));
    show(m_ui->publishUrlLabel, m_demo->url(QStringLiteral("/publish")));
    m_ui->curlView->setPlainText(curlCommand());
    m_ui->copyCurlButton->setEnabled(running);
    m_ui->stopButton->setEnabled(running);
    const bool recording = !m_demo->servedRecording().isEmpty();
    m_ui->rateSlider->setEnabled(running && !recording);
    m_ui->rateSpin->setEnabled(running && !recording);
    m_ui->flatRateCheck->setEnabled(running && !recording);
    m_ui->serveRecordingButton->setEnabled(running);
    m_ui->syntheticButton->setEnabled(running && recording);
    m_ui->servedRecordingLabel->setMessage(recording ? tr("Serving %1, again and again").arg(m_shownName)
                                                     : tr("Synthetic clicks"));
    const QSignalBlocker sliderBlock(m_ui->rateSlider);
    const QSignalBlocker spinBlock(m_ui->rateSpin);
    m_ui->rateSlider->setValue(sliderPosition(m_demo->rate()));
    m_ui->rateSpin->setValue(int(std::lround(m_demo->rate())));
}

}   // namespace Clickscope
