<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN" sourcelanguage="en">
<context>
    <name>ArrearsScreen</name>
    <message>
        <location filename="../screens/arrears_query.py" line="+42"/>
        <source>Pay now</source>
        <translation>立即缴纳</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Tax owed</source>
        <translation>欠税查询</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Print the statement</source>
        <translation>打印欠税清单</translation>
    </message>
</context>
<context>
    <name>AssistanceBanner</name>
    <message>
        <location filename="../assistance.py" line="+170"/>
        <source>Calling staff… a member of staff will look at this screen shortly</source>
        <extracomment>One frame a second while staff are assisting: enough to follow a taxpayer, modest on the hall&apos;s uplink (~30 KiB/s at most). The longest side of a frame; smaller (and lower quality) if it would not fit. How long &quot;Assistance ended&quot; stays before the banner hides.</extracomment>
        <translation>正在呼叫工作人员…工作人员稍后将查看此屏幕</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Staff are viewing this screen and may tap on it</source>
        <translation>工作人员正在协助，并可点按此屏幕</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Staff are viewing this screen</source>
        <translation>工作人员正在协助</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Staff cannot be reached now; please ask at the service desk</source>
        <translation>暂时无法联系工作人员，请到服务台咨询</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Assistance has ended</source>
        <translation>协助已结束</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Stop staff tapping</source>
        <translation>停止工作人员操作</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Let staff tap the screen</source>
        <translation>允许工作人员操作</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Close</source>
        <translation>关闭</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>End assistance</source>
        <translation>结束协助</translation>
    </message>
</context>
<context>
    <name>AssistanceUI</name>
    <message>
        <location line="+133"/>
        <source>Call staff</source>
        <translation>呼叫工作人员</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Call a member of staff to help</source>
        <translation>呼叫工作人员协助</translation>
    </message>
</context>
<context>
    <name>AttractScreen</name>
    <message>
        <location filename="../screens/attract.py" line="+143"/>
        <source>Self-service tax terminal</source>
        <translation>自助办税终端</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Verify invoices and more. Touch the screen to start.</source>
        <translation>发票查验等业务，请触摸屏幕开始。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Have an invoice? Hold its QR code under the scanner below the screen: verification starts at once.</source>
        <translation>有发票要查验？将发票上的二维码对准屏幕下方的扫描窗口，立即开始查验。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Touch to start</source>
        <translation>触摸屏幕开始</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start</source>
        <translation>开始</translation>
    </message>
</context>
<context>
    <name>BookConfirm</name>
    <message>
        <location filename="../screens/school_courses.py" line="+186"/>
        <source>Book one seat on this course for you?</source>
        <translation>为您预约本课程一个座位？</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Book</source>
        <translation>确认预约</translation>
    </message>
</context>
<context>
    <name>BookingDone</name>
    <message>
        <location line="+8"/>
        <source>Tax school booking</source>
        <translation>税务学堂预约</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Back to the courses</source>
        <translation>返回课程列表</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Print the booking slip</source>
        <translation>打印预约凭条</translation>
    </message>
</context>
<context>
    <name>BusyIllustration</name>
    <message>
        <location filename="../widgets/busy.py" line="+187"/>
        <source>Scanning…</source>
        <translation>正在扫描…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Printing… Take your slip from the printer slot</source>
        <translation>正在打印…请从打印口取走凭条</translation>
    </message>
</context>
<context>
    <name>CalculatorScreen</name>
    <message>
        <location filename="../screens/calculators.py" line="+41"/>
        <source>Calculate</source>
        <translation>计算</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 (optional)</source>
        <translation>%1（选填）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Change the figures</source>
        <translation>修改数字</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Print the calculation</source>
        <translation>打印计算过程</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Result of the calculation</source>
        <translation>计算结果</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>An estimate for guidance: the tax office&apos;s assessment prevails.</source>
        <translation>计算结果仅供参考，以税务机关核定为准。</translation>
    </message>
</context>
<context>
    <name>CalendarScreen</name>
    <message>
        <location filename="../screens/guide_calendar.py" line="+67"/>
        <source>Filing calendar</source>
        <translation>办税日历</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Filing deadlines in %1</source>
        <translation>%1申报纳税期限</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Today is %1 (hall time)</source>
        <translation>今天是%1（本厅时间）</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>closed</source>
        <translation>已截止</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>last day today</source>
        <translation>今天截止</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>days left: %1</source>
        <translation>还剩%1天</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>No filing deadlines are published for this month.</source>
        <translation>本月没有公布的申报纳税期限。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Next deadline: %1 %2</source>
        <translation>下一个截止日：%1 %2</translation>
    </message>
</context>
<context>
    <name>CallbackForm</name>
    <message>
        <location filename="../screens/consult_callback.py" line="+38"/>
        <source>Tell us what your question is about and when to call: the 12366 tax service calls you back. You get a ticket number on a slip.</source>
        <translation>请选择咨询类别和方便接听的时段，12366 纳税服务热线将回电解答。提交后打印凭条，凭工单号查询答复。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>12366 callback request</source>
        <translation>12366 预约回电</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>What is it about?</source>
        <translation>咨询类别</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>When may we call you?</source>
        <translation>方便接听的时段</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Phone number to call back</source>
        <translation>回电号码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your question in a few words (optional)</source>
        <translation>问题简述（选填）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Request a callback</source>
        <translation>提交预约回电</translation>
    </message>
</context>
<context>
    <name>CallbackSaved</name>
    <message>
        <location line="+18"/>
        <source>Look up this ticket</source>
        <translation>查询此工单</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Callback requested</source>
        <translation>预约回电已受理</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Your request is registered under the ticket number below. This terminal sends it to the 12366 tax service at once, or as soon as the network is back; the number stays the same.</source>
        <translation>您的预约已登记，工单号见下方。本机会立即提交给 12366；如网络中断，将在恢复后自动提交，工单号不变。</translation>
    </message>
</context>
<context>
    <name>CertificateResultScreen</name>
    <message>
        <location filename="../screens/certificate_verify.py" line="+82"/>
        <source>Certificate check</source>
        <translation>证明查验结果</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Check another certificate</source>
        <translation>查验其他证明</translation>
    </message>
</context>
<context>
    <name>CertificateVerifyScreen</name>
    <message>
        <location line="-35"/>
        <source>Scan the certificate&apos;s QR code, or type its verification code</source>
        <translation>请扫描证明上的二维码，或输入验证码</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Verification code (16 letters and digits, checked online)</source>
        <translation>验证码（16位字母和数字，联网查验）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Check the code</source>
        <translation>查验验证码</translation>
    </message>
</context>
<context>
    <name>ConfirmScreen</name>
    <message>
        <location filename="../flow/confirm.py" line="+28"/>
        <source>Please check and confirm</source>
        <translation>请核对后确认</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Confirm</source>
        <translation>确认</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
</context>
<context>
    <name>ConsentDone</name>
    <message>
        <location filename="../screens/credit_rating.py" line="+216"/>
        <source>Back to my rating</source>
        <translation>返回信用等级</translation>
    </message>
</context>
<context>
    <name>ConsentForm</name>
    <message>
        <location line="-75"/>
        <source>Share my credit rating with a bank (银税互动)</source>
        <translation>授权向银行推送纳税信用信息（银税互动）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>With your consent the tax office sends the chosen bank your tax credit rating and its evaluation year, so that the bank can review a loan application (银税互动). Nothing else is sent. This consent is separate from anything else you do here; you can withdraw it at any time on this terminal.</source>
        <translation>经您同意，税务机关将您的纳税信用级别及评价年度推送给所选银行，供其审核贷款申请（银税互动），不推送其他信息。本授权单独作出，与您在本机办理的其他业务无关；您可随时在本机撤回授权。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Bank</source>
        <translation>银行</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>I agree: send my rating to this bank</source>
        <translation>同意授权，向该银行推送</translation>
    </message>
</context>
<context>
    <name>CourseList</name>
    <message>
        <location filename="../screens/school_courses.py" line="-108"/>
        <source>Please wait…</source>
        <translation>请稍候…</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Book a seat</source>
        <translation>预约</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Cancel my booking</source>
        <translation>取消预约</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Score this course</source>
        <translation>评价课程</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Tax school: courses</source>
        <translation>税务学堂 课程</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No courses are published yet. Please try again after the terminal has synced.</source>
        <translation>暂无课程信息，请在终端联网同步后再试。</translation>
    </message>
</context>
<context>
    <name>CreditScreen</name>
    <message>
        <location filename="../screens/credit_rating.py" line="-87"/>
        <source>Share my rating with a bank</source>
        <translation>银税互动授权</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Withdraw my consent</source>
        <translation>撤回授权</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Tax credit rating</source>
        <translation>纳税信用等级</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Print my rating</source>
        <translation>打印评价结果</translation>
    </message>
</context>
<context>
    <name>ElderlyMode</name>
    <message>
        <location filename="../elderly.py" line="+79"/>
        <source>Simple mode</source>
        <translation>长辈模式</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Simple mode is on: larger text, one action per screen</source>
        <translation>长辈模式已开启：大字、每屏一个操作</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Simple mode: larger text, one action per screen</source>
        <translation>长辈模式：大字、每屏一个操作</translation>
    </message>
</context>
<context>
    <name>Evaluate</name>
    <message>
        <location filename="../screens/school_courses.py" line="+104"/>
        <source>Score a course</source>
        <translation>评价课程</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Score the course: %1</source>
        <translation>评价课程：%1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>1 = poor, 5 = excellent</source>
        <translation>1 星最差，5 星最好</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Send my score</source>
        <translation>提交评价</translation>
    </message>
</context>
<context>
    <name>FaqAnswer</name>
    <message>
        <location filename="../screens/consult_faq.py" line="+73"/>
        <source>12366 answer</source>
        <translation>12366答复</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Not answered? Ask 12366 to call you back</source>
        <translation>没有解决？请12366回电</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not answered? Call 12366 or ask at the advice counter</source>
        <translation>没有解决？请拨打12366或到咨询窗口</translation>
    </message>
</context>
<context>
    <name>FaqSearch</name>
    <message>
        <location line="-37"/>
        <source>12366 questions and answers</source>
        <translation>12366智能咨询</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Type your question, e.g. 个税汇算 or grsds. Answers update as you type.</source>
        <translation>输入您的问题，例如“个税汇算”或拼音首字母“grsds”，答案随输入更新。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Not answered? Ask 12366 to call you back</source>
        <translation>没有解决？请12366回电</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not answered? Call 12366 or ask at the advice counter</source>
        <translation>没有解决？请拨打12366或到咨询窗口</translation>
    </message>
</context>
<context>
    <name>FlowScreen</name>
    <message>
        <location filename="../flow/base.py" line="+44"/>
        <source>More</source>
        <translation>更多</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>More actions</source>
        <translation>更多操作</translation>
    </message>
</context>
<context>
    <name>FormScreen</name>
    <message>
        <location filename="../flow/form.py" line="+54"/>
        <source>Confirm</source>
        <translation>确认</translation>
    </message>
</context>
<context>
    <name>GateChoiceScreen</name>
    <message>
        <location filename="../screens/identity_login.py" line="+356"/>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign in to use: %1</source>
        <translation>登录后办理：%1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Choose how to sign in. You can also put your ID card on the reader now.</source>
        <translation>请选择登录方式。也可以直接把身份证放在读卡区。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Choose how to sign in.</source>
        <translation>请选择登录方式。</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>ID card</source>
        <translation>身份证登录</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Scan with the tax app</source>
        <translation>税务APP扫码登录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tax ID and password</source>
        <translation>纳税人识别号和密码登录</translation>
    </message>
</context>
<context>
    <name>GuidanceScreen</name>
    <message>
        <location filename="../screens/guidance_kit.py" line="+47"/>
        <source>Information as of %1</source>
        <translation>资料更新于 %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Information as of %1 (saved on this terminal: the tax service cannot be reached now)</source>
        <translation>资料更新于 %1（本机保存的资料：暂时无法连接税务系统）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This information has not been downloaded to this terminal yet. Please ask the hall staff.</source>
        <translation>本机尚未下载这些资料，请咨询大厅工作人员。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Loading…</source>
        <translation>正在加载…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nothing found. Try other words or the first letters of the pinyin.</source>
        <translation>没有找到。请换个说法，或输入拼音首字母。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Type words or pinyin initials, e.g. wszm</source>
        <translation>输入文字或拼音首字母，例如 wszm</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Back to the list</source>
        <translation>返回列表</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Print</source>
        <translation>打印</translation>
    </message>
</context>
<context>
    <name>GuideMatter</name>
    <message>
        <location filename="../screens/guide_catalogue.py" line="+86"/>
        <source>Print the materials checklist</source>
        <translation>打印资料清单</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Tax guide</source>
        <translation>办税导航</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Can be done here, on this terminal</source>
        <translation>可在本机办理</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>At a counter: %1</source>
        <translation>需到窗口：%1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Open here: %1</source>
        <translation>在本机办理：%1</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Printing the checklist on A4 paper…</source>
        <translation>正在用 A4 纸打印资料清单…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The checklist is printed on A4 paper. Please take it from the A4 printer.</source>
        <translation>资料清单已用 A4 纸打印，请到 A4 打印机处取走。</translation>
    </message>
</context>
<context>
    <name>GuideSearch</name>
    <message>
        <location line="-100"/>
        <source>Tax guide: what to bring and where to go</source>
        <translation>办税导航：在哪办、带什么资料</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Search a matter, or choose a group below.</source>
        <translation>搜索事项，或在下方选择分类。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>All groups</source>
        <translation>全部分类</translation>
    </message>
</context>
<context>
    <name>Header</name>
    <message>
        <location filename="../widgets/header.py" line="+282"/>
        <source>Self-service tax terminal</source>
        <translation>自助办税终端</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Terminal %1</source>
        <translation>终端 %1</translation>
    </message>
</context>
<context>
    <name>HomeScreen</name>
    <message>
        <location filename="../screens/home.py" line="+277"/>
        <source>Choose a service</source>
        <translation>请选择业务</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Or scan now: hold the QR code of an invoice, or of a slip from this terminal, under the scanner below the screen. Its service opens by itself.</source>
        <translation>也可以直接扫码：将发票上的二维码或本机打印凭条上的二维码对准屏幕下方的扫描窗口，相应业务会自动打开。</translation>
    </message>
</context>
<context>
    <name>IdentityCardScreen</name>
    <message>
        <location filename="../screens/identity_login.py" line="+15"/>
        <source>A card is already on the reader. Please take it away, then put your ID card on the reader again.</source>
        <translation>读卡区上已有一张卡。请先取走，再把您的身份证重新放上。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Sign in with your ID card</source>
        <translation>身份证登录</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Reading your ID card…</source>
        <translation>正在读取身份证…</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Waiting for your ID card…</source>
        <translation>请放置身份证…</translation>
    </message>
</context>
<context>
    <name>IdentityDoneScreen</name>
    <message>
        <location line="+149"/>
        <source>You are signed in</source>
        <translation>您已登录</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Choose a service</source>
        <translation>选择业务</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Identified from your ID card alone: the tax service cannot be reached now, so services that need it are not available.</source>
        <translation>仅凭身份证确认身份：暂时无法连接税务系统，需要联网的业务暂不可用。</translation>
    </message>
</context>
<context>
    <name>IdentityEnterpriseScreen</name>
    <message>
        <location line="-65"/>
        <source>Which enterprise are you acting for?</source>
        <translation>请选择办理业务的企业</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Myself</source>
        <translation>本人</translation>
    </message>
</context>
<context>
    <name>IdentityFlow</name>
    <message>
        <location line="-492"/>
        <source>Needs the network: the tax service cannot be reached now.</source>
        <translation>需要网络：暂时无法连接税务系统。</translation>
    </message>
</context>
<context>
    <name>IdentityPasswordScreen</name>
    <message>
        <location line="+434"/>
        <source>Sign in with your tax ID and password</source>
        <translation>纳税人识别号和密码登录</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Tax ID (credit code or ID number)</source>
        <translation>纳税人识别号（统一社会信用代码或身份证号）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Password</source>
        <translation>密码</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
</context>
<context>
    <name>IdentityQrScreen</name>
    <message>
        <location line="-67"/>
        <source>Sign in with the tax app</source>
        <translation>税务APP扫码登录</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Open the tax app on your phone, choose Scan, point it at this code and confirm in the app.</source>
        <translation>请打开手机上的税务APP，选择“扫一扫”，对准此二维码，并在APP中确认。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>New code</source>
        <translation>换一个二维码</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Getting a code…</source>
        <translation>正在获取二维码…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Valid for %1 more</source>
        <translation>有效时间还剩 %1</translation>
    </message>
</context>
<context>
    <name>IdleOverlay</name>
    <message>
        <location filename="../widgets/idle_overlay.py" line="+124"/>
        <source>%1 seconds left</source>
        <translation>剩余 %1 秒</translation>
    </message>
    <message>
        <location line="+42"/>
        <source>Session time-out warning</source>
        <translation>操作超时提醒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Are you still there?</source>
        <translation>您还在吗？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>seconds</source>
        <translation>秒</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>To protect your privacy, this session will then end and what you entered will be cleared.</source>
        <translation>为保护您的隐私，倒计时结束后将结束本次办理，并清除您输入的信息。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Continue</source>
        <translation>继续办理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Continue, I am still here</source>
        <translation>我还在，继续办理</translation>
    </message>
</context>
<context>
    <name>Illustration</name>
    <message>
        <location filename="../screens/invoice_verify.py" line="+172"/>
        <location filename="../widgets/illustration.py" line="+234"/>
        <source>Hold the QR code over the scanner window below the screen</source>
        <translation>请将二维码对准屏幕下方的扫描窗口</translation>
    </message>
    <message>
        <location filename="../widgets/illustration.py" line="+2"/>
        <source>Put your ID card flat on the reader pad</source>
        <translation>请将身份证平放在读卡区</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Take your slip from the printer slot</source>
        <translation>请从打印口取走凭条</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Take your invoices from the tray</source>
        <translation>请从出票口取走发票</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Insert your bank card at the bottom of the card terminal, or hold it on the wave mark</source>
        <translation>请将银行卡插入刷卡器底部，或贴近感应标志</translation>
    </message>
</context>
<context>
    <name>InfoDetail</name>
    <message>
        <location filename="../screens/info_announcements.py" line="+80"/>
        <source>Major tax violation case</source>
        <translation>重大税收违法失信案件</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Notices and policies</source>
        <translation>通知公告</translation>
    </message>
</context>
<context>
    <name>InfoSearch</name>
    <message>
        <location line="-56"/>
        <source>Notices</source>
        <translation>通知公告</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Policies</source>
        <translation>政策法规</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tax violators</source>
        <translation>失信案件</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>A-rated taxpayers</source>
        <translation>A级纳税人</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Notices and policies</source>
        <translation>通知公告</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Published major tax violation cases. Type a name or TIN.</source>
        <translation>已公布的重大税收违法失信案件，请输入名称或纳税人识别号。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Taxpayers rated A for tax credit. Type a name or TIN.</source>
        <translation>纳税信用A级纳税人名单，请输入名称或纳税人识别号。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Newest first. Type words to search.</source>
        <translation>最新的在前，输入文字可搜索。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Name or taxpayer identification number</source>
        <translation>名称或纳税人识别号</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Type at least 2 characters of the name or number.</source>
        <translation>请至少输入名称或识别号的2个字符。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not on the published A-rated list.</source>
        <translation>不在已公布的A级纳税人名单中。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No published case matches.</source>
        <translation>没有符合的已公布案件。</translation>
    </message>
</context>
<context>
    <name>InvoicePickup</name>
    <message>
        <location filename="../screens/invoice_pickup.py" line="+35"/>
        <source>Please take your invoices</source>
        <translation>请取走发票</translation>
    </message>
</context>
<context>
    <name>InvoiceVerifyFlow</name>
    <message>
        <location filename="../screens/invoice_verify.py" line="-124"/>
        <source>This slip is not known here. Please ask the hall staff.</source>
        <translation>本终端查不到此凭条。请咨询大厅工作人员。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The result of this slip is no longer kept at this terminal (results are deleted after a while to protect personal data). Please scan the invoice to check it again.</source>
        <translation>本终端已不再保存此凭条的查验结果（为保护个人信息，结果只保存一段时间）。请扫描发票重新查验。</translation>
    </message>
</context>
<context>
    <name>Keypad</name>
    <message>
        <location filename="../widgets/keypad.py" line="+306"/>
        <source>Number keypad</source>
        <translation>数字键盘</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Digit %1</source>
        <translation>数字 %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Decimal point</source>
        <translation>小数点</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Letter X</source>
        <translation>字母 X</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Delete</source>
        <translation>删除</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Delete the last character</source>
        <translation>删除最后一位</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Clear</source>
        <translation>清空</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Clear the whole field</source>
        <translation>清空本栏内容</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Letter %1</source>
        <translation>字母 %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Upper or lower case</source>
        <translation>大小写切换</translation>
    </message>
</context>
<context>
    <name>KindScreen</name>
    <message>
        <location filename="../screens/certificate_print.py" line="+134"/>
        <source>Print a tax certificate</source>
        <translation>打印完税证明</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Choose the certificate. You see it on screen before it prints on A4 paper.</source>
        <translation>请选择要开具的证明。打印到A4纸之前，会先在屏幕上预览。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>For one payment you choose</source>
        <translation>针对您选择的一笔缴款</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>All payments of a period of months</source>
        <translation>一段期间内的全部缴款</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Your individual income tax payments of a period (natural persons)</source>
        <translation>一段期间内的个人所得税缴纳记录（限自然人）</translation>
    </message>
</context>
<context>
    <name>ListDetailScreen</name>
    <message>
        <location filename="../flow/list_detail.py" line="+26"/>
        <source>Nothing found.</source>
        <translation>没有查到记录。</translation>
    </message>
</context>
<context>
    <name>LogisticsScreen</name>
    <message>
        <location filename="../screens/logistics.py" line="+206"/>
        <source>This is not a courier waybill.</source>
        <translation>这不是快递运单号。</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Loaded into cassette %1: %2 %3 %4-%5 (%6 pieces).</source>
        <translation>已装入钱箱 %1：%2 %3 %4-%5（%6 份）。</translation>
    </message>
    <message>
        <location line="+51"/>
        <source>Dispatched %1: %2 pieces, waybill %3.</source>
        <translation>已发出 %1：%2 份，运单号 %3。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Packing slip printed.</source>
        <translation>装箱单已打印。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Take box %1 of %2 from the slot.</source>
        <translation>请从出票口取走第 %1 盒（共 %2 盒）。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Issuing box %1 of %2…</source>
        <translation>正在发出第 %1 盒（共 %2 盒）…</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Difference found: cassette(s) %1 blocked until a technician clears them.</source>
        <translation>发现差异：钱箱 %1 已锁定，须由技术人员核查后解除。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Reconciliation report printed on the A4 printer.</source>
        <translation>对账报告已在 A4 打印机打印。</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Cassette %1 cleared.</source>
        <translation>钱箱 %1 已解除锁定。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Logistics</source>
        <translation>物流模式</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Load stock</source>
        <translation>装入发票</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Courier</source>
        <translation>邮寄发票</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reconcile</source>
        <translation>对账</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Dispense for the courier</source>
        <translation>出票并装箱</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Print the A4 report</source>
        <translation>打印 A4 对账报告</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Back to maintenance</source>
        <translation>返回维护模式</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Scan the label of each invoice box you put into the dispenser.</source>
        <translation>请逐盒扫描装入发票机的发票盒标签。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose an application, scan the courier waybill, then dispense and pack the invoices.</source>
        <translation>请选择申请，扫描快递运单号，然后出票并装箱。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Per cassette: loaded = taken + retracted + in slot + remaining.</source>
        <translation>每个钱箱：装入 = 领走 + 回收 + 出口待取 + 剩余。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Please wait…</source>
        <translation>请稍候…</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Cassette %1: empty</source>
        <translation>钱箱 %1：空</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cassette %1: %2 %3 %4-%5, next %6, remaining %7</source>
        <translation>钱箱 %1：%2 %3 %4-%5，下一号 %6，剩余 %7 份</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Blocked: %1</source>
        <translation>已锁定：%1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No courier applications are waiting.</source>
        <translation>没有待邮寄的申请。</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Waybill: %1</source>
        <translation>运单号：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Scan the courier waybill for %1.</source>
        <translation>请扫描 %1 的快递运单号。</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Cassette %1 (%2 %3): loaded %4 = taken %5 + retracted %6 + in slot %7 + remaining %8</source>
        <translation>钱箱 %1（%2 %3）：装入 %4 = 领走 %5 + 回收 %6 + 出口待取 %7 + 剩余 %8</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>%1 pickups and dispatches</source>
        <translation>领用和邮寄 %1 笔</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Difference %1: the device counted %2, the journal %3.</source>
        <translation>差异 %1：设备计数 %2，日志记录 %3。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Blocked until a technician checks and clears it.</source>
        <translation>本钱箱已锁定，待技术人员核查后解除。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Clear the block of cassette %1</source>
        <translation>解除钱箱 %1 的锁定</translation>
    </message>
</context>
<context>
    <name>LookupListScreen</name>
    <message>
        <location filename="../flow/lookup.py" line="+37"/>
        <source>Looking this up with the tax service…</source>
        <translation>正在向税务系统查询…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Look up again</source>
        <translation>重新查询</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign in again</source>
        <translation>重新登录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Print a slip</source>
        <translation>打印凭条</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Printing…</source>
        <translation>正在打印…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Slip printed. Please take it.</source>
        <translation>凭条已打印，请取走。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../main_window.py" line="+740"/>
        <source>Self-service tax terminal</source>
        <translation>自助办税终端</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+1"/>
        <source>Home</source>
        <translation>首页</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>Back</source>
        <translation>返回</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Finish</source>
        <translation>结束办理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Finish and clear my data</source>
        <translation>结束办理并清除我的信息</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign out, finish and clear my data</source>
        <translation>退出登录，结束办理并清除我的信息</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Switch language</source>
        <translation>切换语言</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>Larger text</source>
        <translation>大字</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>High contrast</source>
        <translation>高对比度</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>High contrast colours</source>
        <translation>高对比度配色</translation>
    </message>
</context>
<context>
    <name>MaintenanceScreen</name>
    <message>
        <location filename="../screens/maintenance.py" line="+359"/>
        <source>Syncing…</source>
        <translation>正在同步…</translation>
    </message>
    <message>
        <location line="+86"/>
        <source>Maintenance</source>
        <translation>维护模式</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Queue and sync</source>
        <translation>队列与同步</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rejected records</source>
        <translation>被拒绝的记录</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Devices</source>
        <translation>设备</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Maintenance details</source>
        <translation>维护详情</translation>
    </message>
    <message>
        <location line="-164"/>
        <location line="+166"/>
        <source>Sync now</source>
        <translation>立即同步</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Sync the queue now</source>
        <translation>立即同步待上传队列</translation>
    </message>
    <message>
        <location line="-165"/>
        <location line="+166"/>
        <source>Test print</source>
        <translation>测试打印</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Print a test page on the receipt printer</source>
        <translation>在凭条打印机上打印测试页</translation>
    </message>
    <message>
        <location line="-164"/>
        <location line="+165"/>
        <source>Refresh</source>
        <translation>刷新</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Refresh the figures</source>
        <translation>刷新数据</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Log out</source>
        <translation>退出登录</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Log out of maintenance mode</source>
        <translation>退出维护模式</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Signed in: %1 (%2)</source>
        <translation>已登录：%1（%2）</translation>
    </message>
    <message>
        <location line="-174"/>
        <location line="+175"/>
        <source>, </source>
        <translation>、</translation>
    </message>
    <message>
        <location line="-190"/>
        <location line="+167"/>
        <source>Check with the terminal again</source>
        <translation>再次核对</translation>
    </message>
    <message>
        <location line="-161"/>
        <source>Not for your role</source>
        <translation>您的岗位不可使用</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>The queue figures and devices are not shown to your role.</source>
        <translation>您的岗位不显示队列数据和设备状态。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not for your role: %1.</source>
        <translation>您的岗位不可使用：%1。</translation>
    </message>
    <message>
        <location line="+142"/>
        <source>Out of service…</source>
        <translation>暂停服务…</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Payments needing attention</source>
        <translation>待处理的缴款</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Ask the payment terminal again about the payments listed</source>
        <translation>就所列缴款再次向支付终端核对</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Invoice dispenser: stock, courier, reconciliation</source>
        <translation>发票机：装票、邮寄、对账</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Open logistics mode</source>
        <translation>进入物流模式</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Waiting to upload: %1</source>
        <translation>待上传：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Oldest waiting: %1</source>
        <translation>最早待上传：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Uploaded: %1</source>
        <translation>已上传：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Rejected: %1</source>
        <translation>被拒绝：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Never confirmed on screen: %1</source>
        <translation>未在屏幕确认：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Tax service reachable: %1</source>
        <translation>税务服务可连接：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last sync: %1</source>
        <translation>上次同步：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>never</source>
        <translation>从未</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>%1 s</source>
        <translation>%1 秒</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 min</source>
        <translation>%1 分钟</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 h %2 min</source>
        <translation>%1 小时 %2 分钟</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>%1 d %2 h</source>
        <translation>%1 天 %2 小时</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>hall staff</source>
        <translation>大厅工作人员</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>logistics</source>
        <translation>物流</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>technician</source>
        <translation>技术员</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>None</source>
        <translation>无</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>No. %1 · %2 · %3
Reason: %4</source>
        <translation>第 %1 条 · %2 · %3
原因：%4</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>(none given)</source>
        <translation>（未说明）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Showing the newest %1 of %2.</source>
        <translation>显示最新的 %1 条，共 %2 条。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>not connected</source>
        <translation>未连接</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>not reachable</source>
        <translation>无法连接</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no answer</source>
        <translation>无应答</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>fault</source>
        <translation>故障</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>set up wrongly</source>
        <translation>配置错误</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>out of paper</source>
        <translation>缺纸</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>paper low</source>
        <translation>纸将用尽</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>cover open</source>
        <translation>机盖打开</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>paper jam</source>
        <translation>卡纸</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>no card</source>
        <translation>无卡</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>card removed</source>
        <translation>卡已移走</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>card unreadable</source>
        <translation>无法读卡</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>card not supported</source>
        <translation>不支持此卡</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>out of stock</source>
        <translation>发票已用完</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>stock low</source>
        <translation>发票将用完</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>door open</source>
        <translation>舱门打开</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>garbled reply</source>
        <translation>应答错误</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>input too long</source>
        <translation>输入过长</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>No devices are configured.</source>
        <translation>未配置任何设备。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>closed</source>
        <translation>已关闭</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location line="-23"/>
        <location line="+24"/>
        <source>busy</source>
        <translation>忙</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>error</source>
        <translation>出错</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>offline</source>
        <translation>离线</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Scanner</source>
        <translation>扫描器</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Scanner (keyboard)</source>
        <translation>扫描器（键盘模式）</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Camera scanner</source>
        <translation>摄像头扫描</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Receipt printer</source>
        <translation>凭条打印机</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Invoice printer</source>
        <translation>发票打印机</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A4 printer</source>
        <translation>A4打印机</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>ID card reader</source>
        <translation>身份证阅读器</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Payment terminal</source>
        <translation>支付终端</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Invoice dispenser</source>
        <translation>发票发售机</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Staff card reader</source>
        <translation>工作人员读卡器</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>%1 (%2): %3</source>
        <translation>%1（%2）：%3</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>not yet sent to the terminal</source>
        <translation>尚未发送至终端</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>sent to the terminal, no answer yet</source>
        <translation>已发送至终端，尚无应答</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>outcome unknown: the terminal did not answer</source>
        <translation>结果不明：终端未应答</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>money taken, not yet booked by the tax office</source>
        <translation>已扣款，税务机关尚未入账</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>refund not confirmed yet</source>
        <translation>退款尚未确认</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>paid and booked</source>
        <translation>已缴款并入账</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>not charged</source>
        <translation>未扣款</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>money given back</source>
        <translation>款项已退回</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>No payment terminal or QR payment is set up here.</source>
        <translation>本终端未设置银行卡或扫码缴款。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The payment orders could not be read. See the log.</source>
        <translation>无法读取缴款订单，请查看日志。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No payment needs attention.</source>
        <translation>没有待处理的缴款。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>bank card</source>
        <translation>银行卡</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>QR code</source>
        <translation>扫码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The terminal&apos;s batch report must decide.</source>
        <translation>须以支付终端的结算单为准。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The terminal refused the refund: reverse it by hand.</source>
        <translation>终端拒绝退款，请人工冲正。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Order …%1 · %2 · ¥%3 · %4
Taxpayer %5 · %6</source>
        <translation>订单 …%1 · %2 · ¥%3 · %4
纳税人 %5 · %6</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Showing the oldest %1 of %2.</source>
        <translation>显示最早的 %1 笔，共 %2 笔。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Asking the payment terminal…</source>
        <translation>正在向支付终端核对…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>The check did not run. See the log for details.</source>
        <translation>核对未能进行，详情请查看日志。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Order …%1: now %2.</source>
        <translation>订单 …%1：现为%2。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Nothing changed.</source>
        <translation>没有变化。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The terminal is busy: try again in a minute.</source>
        <translation>终端正忙，请一分钟后再试。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>%1 could not be asked now (is the terminal connected?).</source>
        <translation>%1 笔暂时无法核对（终端是否已连接？）。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Still open: %1.</source>
        <translation>仍待处理：%1 笔。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No payment is open now.</source>
        <translation>现已没有待处理的缴款。</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Sync: sent %1, accepted %2, duplicates %3, rejected %4, still waiting %5.</source>
        <translation>同步：已发送 %1，已接受 %2，重复 %3，被拒绝 %4，仍待上传 %5。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Stopped: %1</source>
        <translation>已中止：%1</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Sync failed. See the log for details.</source>
        <translation>同步失败，详情请查看日志。</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Printing the test page…</source>
        <translation>正在打印测试页…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Test page printed.</source>
        <translation>测试页已打印。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Test page not printed: %1</source>
        <translation>测试页未打印：%1</translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message>
        <location filename="../messages.py" line="+27"/>
        <source>This QR code cannot be read as an invoice. Please scan the QR code printed on the invoice.</source>
        <translation>无法从此二维码中读出发票信息。请扫描发票上印制的二维码。</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+2"/>
        <source>This is not an invoice QR code. Please scan the QR code printed on the invoice.</source>
        <translation>这不是发票二维码。请扫描发票上印制的二维码。</translation>
    </message>
    <message>
        <location line="-1"/>
        <source>This QR code is a web address, not an invoice. Please scan the QR code printed on the invoice.</source>
        <translation>此二维码是网址，不是发票。请扫描发票上印制的二维码。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Nothing was scanned. Please try again.</source>
        <translation>未扫描到内容，请重试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Only part of the QR code was read. Please hold the invoice still and scan again.</source>
        <translation>二维码只读取到一部分。请拿稳发票，重新扫描。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This QR code version is not supported. Please type the invoice details instead.</source>
        <translation>暂不支持此版本的二维码。请改为手工输入发票信息。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This invoice type cannot be verified here.</source>
        <translation>本终端不能查验此类发票。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The invoice code in the QR code is damaged. Please type the invoice details instead.</source>
        <translation>二维码中的发票代码已损坏。请改为手工输入发票信息。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The invoice number in the QR code is damaged. Please type the invoice details instead.</source>
        <translation>二维码中的发票号码已损坏。请改为手工输入发票信息。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The amount in the QR code is damaged. Please type the invoice details instead.</source>
        <translation>二维码中的金额已损坏。请改为手工输入发票信息。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The date in the QR code is not a real date. Please type the invoice details instead.</source>
        <translation>二维码中的开票日期无效。请改为手工输入发票信息。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The check code in the QR code has the wrong length. Please type the invoice details instead.</source>
        <translation>二维码中的校验码位数不对。请改为手工输入发票信息。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The QR code is damaged. Please scan again or type the invoice details.</source>
        <translation>二维码已损坏。请重新扫描，或手工输入发票信息。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The code on this slip is damaged. Please ask the hall staff for help.</source>
        <translation>此凭条上的二维码已损坏。请向大厅工作人员求助。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Please fill in this field.</source>
        <translation>请填写此项。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The invoice code has 10 or 12 digits.</source>
        <translation>发票代码为 10 位或 12 位数字。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This invoice code belongs to another invoice type.</source>
        <translation>此发票代码属于其他发票种类。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The invoice number has 8 digits.</source>
        <translation>发票号码为 8 位数字。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The invoice number has 20 digits.</source>
        <translation>发票号码为 20 位数字。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter a real date as 8 digits, e.g. 20240514.</source>
        <translation>请输入有效日期，共 8 位数字，例如 20240514。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter the amount in yuan, e.g. 1024.50.</source>
        <translation>请输入以元为单位的金额，例如 1024.50。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter the last 6 digits of the check code.</source>
        <translation>请输入校验码后 6 位。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose the invoice type first.</source>
        <translation>请先选择发票种类。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The printer is out of paper. Please ask the hall staff for help.</source>
        <translation>打印机缺纸。请向大厅工作人员求助。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The printer paper is running low.</source>
        <translation>打印纸即将用完。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The printer cover is open. Please ask the hall staff for help.</source>
        <translation>打印机盖未关好。请向大厅工作人员求助。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This terminal has no receipt printer.</source>
        <translation>本终端没有凭条打印机。</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>The printer is not responding. Please ask the hall staff for help.</source>
        <translation>打印机无响应。请向大厅工作人员求助。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The printer reported a fault. Please ask the hall staff for help.</source>
        <translation>打印机报告故障。请向大厅工作人员求助。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The printer paper is jammed. Please ask the hall staff for help.</source>
        <translation>打印机卡纸。请向大厅工作人员求助。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The printer is busy. Please try again in a moment.</source>
        <translation>打印机忙，请稍后再试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The printer is not set up correctly. Please ask the hall staff for help.</source>
        <translation>打印机设置有误。请向大厅工作人员求助。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The tax service could not accept these details. Please check them and try again.</source>
        <translation>税务系统未能受理这些信息。请核对后重试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The tax service cannot be reached and this terminal has already saved as many requests as it may. Please try again later or ask the hall staff for help.</source>
        <translation>暂时无法连接税务服务，本终端暂存的业务已达上限。请稍后再试，或联系大厅工作人员。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Something went wrong. Nothing was recorded. Please try again.</source>
        <translation>出现问题，本次操作未被记录。请重试。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Enter digits only.</source>
        <translation>请只输入数字。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter letters and digits only.</source>
        <translation>请只输入字母和数字。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Please choose one of the options.</source>
        <translation>请选择其中一项。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This is too long.</source>
        <translation>输入的内容过长。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This figure cannot be used. Please check it.</source>
        <translation>这个数字无法使用，请检查。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter the figure in yuan, e.g. 1024.50.</source>
        <translation>请以元为单位输入金额，例如 1024.50。</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>Enter a number.</source>
        <translation>请输入数字。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The figure cannot be negative.</source>
        <translation>金额不能为负数。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This figure is too large. Please check it.</source>
        <translation>数字过大，请检查。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Use at most 2 decimal places.</source>
        <translation>最多保留2位小数。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter a month from 1 to 12.</source>
        <translation>请输入1到12之间的月份。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter the engine size in litres, more than 0 and at most 20, e.g. 1.6.</source>
        <translation>请输入排气量（升），大于0且不超过20，例如 1.6。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The yearly tax table of this terminal is not valid. Please ask the hall staff.</source>
        <translation>本机的年税额表无效，请咨询大厅工作人员。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Give the months owned or the month bought, not both.</source>
        <translation>请填写应纳税月份数或购置月份，不要同时填写。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This code cannot be used at this terminal. Please scan an invoice QR code or the QR code on a slip from this system.</source>
        <translation>本终端无法使用此码。请扫描发票上的二维码，或本系统打印的凭条上的二维码。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not available right now: a device it needs is out of order. Please ask the hall staff.</source>
        <translation>暂不可用：所需设备出现故障。请向大厅工作人员求助。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not available right now: the tax service cannot be reached. Please try again later.</source>
        <translation>暂不可用：目前无法连接税务系统。请稍后再试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not available at this time of day. Please see the opening hours.</source>
        <translation>当前时段不提供此业务。请留意办理时间。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not available right now: its devices have not been checked yet.</source>
        <translation>暂不可用：所需设备尚未完成检测。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>For the hall staff only.</source>
        <translation>仅限大厅工作人员使用。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Not available right now. Please ask the hall staff.</source>
        <translation>暂不可用。请向大厅工作人员求助。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This card is not a staff card of this terminal.</source>
        <translation>此卡不是本终端的工作人员卡。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A PIN is 6 to 8 digits. Please enter it again.</source>
        <translation>密码为 6 至 8 位数字，请重新输入。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Wrong PIN. Please try again.</source>
        <translation>密码错误，请重试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Wrong PIN. Attempts left before the card is locked: %1.</source>
        <translation>密码错误。还可尝试 %1 次，之后此卡将被锁定。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Too many wrong PINs: this card is locked for now. Please try again later.</source>
        <translation>密码错误次数过多，此卡已被暂时锁定，请稍后再试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Too many wrong PINs: this card is locked until %1.</source>
        <translation>密码错误次数过多，此卡已被锁定至 %1。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sign-in is not possible right now. Please try again.</source>
        <translation>暂时无法登录，请重试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Staff sign-in is locked on this terminal: its record of wrong PINs cannot be read. Please ask a technician.</source>
        <translation>本终端的工作人员登录已锁定：无法读取密码错误记录。请联系技术人员。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Staff sign-in is locked on this terminal until %1: its record of wrong PINs was damaged.</source>
        <translation>本终端的工作人员登录已锁定至 %1：密码错误记录已损坏。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your role may not do this.</source>
        <translation>您的岗位无权执行此操作。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No taxpayer is registered under these details. Please check them, or ask the hall staff.</source>
        <translation>未查到以此信息登记的纳税人。请核对，或咨询大厅工作人员。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Wrong TIN or password. Please try again.</source>
        <translation>纳税人识别号或密码错误，请重试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Wrong TIN or password. Tries left before password sign-in is locked: %1.</source>
        <translation>纳税人识别号或密码错误。再错 %1 次将锁定密码登录。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Too many wrong passwords: password sign-in is locked for now. Please use your ID card or the tax app, or try again later.</source>
        <translation>密码错误次数过多，密码登录暂时锁定。请使用身份证或税务APP扫码登录，或稍后再试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Too many wrong passwords: password sign-in is locked until %1. Please use your ID card or the tax app.</source>
        <translation>密码错误次数过多，密码登录已锁定至 %1。请使用身份证或税务APP扫码登录。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This sign-in code has expired. Please scan the new code.</source>
        <translation>此登录二维码已过期，请扫描新的二维码。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This sign-in code has already been used. Please scan the new code.</source>
        <translation>此登录二维码已使用，请扫描新的二维码。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your sign-in has expired. Please sign in again.</source>
        <translation>登录已过期，请重新登录。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The tax service cannot be reached. Signing in with the tax app or a password needs the network; please use your ID card or try again later.</source>
        <translation>暂时无法连接税务系统。税务APP扫码登录和密码登录需要网络，请使用身份证登录或稍后再试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>You are not registered to act for an enterprise. This service is for enterprises.</source>
        <translation>您未登记为任何企业的办税人员，本业务仅供企业办理。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Signing in did not work. Please try again.</source>
        <translation>登录未成功，请重试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This ID card expired on %1 and cannot be used. Please use a valid ID card, the tax app or a password.</source>
        <translation>此身份证已于 %1 过期，不能使用。请使用有效身份证、税务APP或密码登录。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The number on this ID card cannot be right. Please ask the hall staff.</source>
        <translation>此身份证号码有误，请咨询大厅工作人员。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This card is not a resident ID card. Please use your resident ID card, the tax app or a password.</source>
        <translation>此卡不是居民身份证。请使用居民身份证、税务APP或密码登录。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This card could not be read. Please take it away and put it flat on the reader again.</source>
        <translation>无法读取此卡。请取走后重新平放在读卡区。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The ID card reader is not working. Please sign in with the tax app or a password, or ask the hall staff.</source>
        <translation>身份证阅读器暂不可用。请使用税务APP扫码或密码登录，或咨询大厅工作人员。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter an 18-character unified social credit code or resident ID number.</source>
        <translation>请输入18位统一社会信用代码或居民身份证号码。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A password has at most 64 characters.</source>
        <translation>密码最多64个字符。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This QR code is not a tax certificate&apos;s, or it is damaged.</source>
        <translation>此二维码不是税收证明的二维码，或已损坏。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The certificate&apos;s signature does not match: it may be forged or altered.</source>
        <translation>证明的签名不符，可能系伪造或被篡改。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This certificate was not signed by a tax office this terminal knows.</source>
        <translation>此证明并非由本终端认可的税务机关签发。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This certificate is dated outside the validity of the key that signed it.</source>
        <translation>此证明的开具日期不在签发密钥的有效期内。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The tax office has revoked this certificate.</source>
        <translation>税务机关已作废此证明。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The tax office has no certificate with this number or code.</source>
        <translation>税务机关没有此编号或验证码的证明。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A verification code has 16 letters and digits.</source>
        <translation>验证码为16位字母和数字。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Checking a verification code needs the network. Please scan the certificate&apos;s QR code, or try again later.</source>
        <translation>查验验证码需要联网。请扫描证明上的二维码，或稍后再试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Too many checks from this terminal just now. Please try again in a minute.</source>
        <translation>本终端查验过于频繁，请一分钟后再试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No payment matches this certificate. Please choose another payment or period.</source>
        <translation>没有符合条件的缴款记录，请选择其他缴款或期间。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A tax payment record is issued to natural persons only.</source>
        <translation>纳税记录仅向自然人开具。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter a period of months as YYYYMM, from no later than to, at most 36 months, not after this month.</source>
        <translation>请按YYYYMM输入期间：起始不晚于截止，最长36个月，且不晚于本月。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The tax service cannot be reached right now. Please try again later.</source>
        <translation>暂时无法连接税务服务，请稍后再试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter an 11-digit mobile number, or a landline number with its area code.</source>
        <translation>请输入 11 位手机号码，或带区号的固定电话号码。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This request cannot be accepted. Please check the fields.</source>
        <translation>无法受理此预约，请检查填写的内容。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This suggestion cannot be accepted. Please check the fields.</source>
        <translation>无法受理此意见建议，请检查填写的内容。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This is not a ticket number: type the 12 digits after GD on your slip.</source>
        <translation>工单号有误：请输入凭条上 GD 后面的 12 位数字。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No ticket has this number yet. A request made while the network was down is registered once this terminal is back online.</source>
        <translation>暂未查到此工单。网络中断时提交的预约，将在终端恢复联网后登记。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This number cannot be looked up here. Please ask at a counter with your slip.</source>
        <translation>此工单号无法在本机查询，请持凭条到窗口咨询。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Too many look-ups from this terminal. Please try again in a minute.</source>
        <translation>查询过于频繁，请一分钟后再试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This course is no longer offered.</source>
        <translation>该课程已取消。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This course is full. Please choose another course.</source>
        <translation>该课程已约满，请选择其他课程。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>You have booked this course already.</source>
        <translation>您已预约过该课程。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This course has already taken place.</source>
        <translation>该课程已结束。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>You can score a course from the day after it.</source>
        <translation>课程结束次日起才可评价。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>You have no booking on this course.</source>
        <translation>您没有预约该课程。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>To book, please sign in with the tax service (your ID card while the network works, the tax app or your password).</source>
        <translation>预约需联网登录（联网时刷身份证、扫码或输入密码）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Please choose a score from 1 to 5.</source>
        <translation>请选择 1 至 5 星。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This look-up needs a sign-in with the tax service. Please sign in again while the network works (ID card, tax app or password).</source>
        <translation>此查询需要在税务系统登录。请在网络正常时重新登录（身份证、税务APP扫码或密码）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The tax service did not answer this look-up. Please try again.</source>
        <translation>税务系统未返回查询结果，请重试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Please choose one of the banks listed.</source>
        <translation>请从列出的银行中选择一家。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This needs a sign-in with the tax service. Please sign out, then sign in while the network works (ID card, tax app or password).</source>
        <translation>此业务需要通过税务系统联网登录。请退出登录，在网络正常时重新登录（身份证、税务APP扫码或密码）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This terminal has no A4 printer. Please ask the hall staff for help.</source>
        <translation>本终端没有A4打印机，请联系大厅工作人员。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This voucher is not on record for you.</source>
        <translation>没有查到您的这张缴款凭证。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This application cannot be accepted. Please check the fields.</source>
        <translation>无法受理此申请，请检查填写内容。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Please choose at least one kind of income.</source>
        <translation>请至少选择一种所得类型。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The terminal is checking an earlier payment with the card terminal. Payments are possible again in a moment.</source>
        <translation>终端正在向刷卡终端核实上一笔缴款，稍后即可缴款。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The invoice dispenser is settling an earlier pickup: please wait a moment.</source>
        <translation>发票机正在核对上一笔领用，请稍候。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Checking an earlier payment first: please wait a moment.</source>
        <translation>正在核实上一笔缴款，请稍候。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This terminal has no card terminal. Please pay by payment QR code or ask the hall staff.</source>
        <translation>本终端未配置刷卡终端，请使用付款码缴款或咨询大厅工作人员。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The tax office has recorded your payment.</source>
        <translation>税务机关已入账。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your card was charged. The tax office will confirm the payment as soon as the network is back; you need not pay again. Keep the slip.</source>
        <translation>您的银行卡已扣款，网络恢复后税务机关将确认入账，无需重复缴纳。请保管好凭条。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The card terminal did not report the result. The terminal checks it before the next payment: you are never charged twice. Keep the slip and ask the hall staff if in doubt.</source>
        <translation>刷卡终端未返回结果。本终端将在下一笔缴款前核实，不会重复扣款。请保管好凭条，如有疑问请咨询大厅工作人员。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The hall staff must check this payment with the card terminal&apos;s records. You are never charged twice.</source>
        <translation>需由大厅工作人员核对刷卡终端记录，不会重复扣款。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The card terminal could not take the payment. Your card was not charged.</source>
        <translation>刷卡终端未能完成交易，您的银行卡未扣款。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The payment never reached the card terminal. Your card was not charged.</source>
        <translation>交易未发送到刷卡终端，您的银行卡未扣款。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The tax office could not record the payment, so the charge was reversed. The money goes back to your card.</source>
        <translation>税务机关未能入账，扣款已冲正，款项将退回您的银行卡。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The tax office could not record this payment.</source>
        <translation>税务机关未能入账。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The tax office could not record the payment: this tax has already been paid.</source>
        <translation>税务机关未能入账：该税款已缴纳。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The tax office could not record the payment: the amount owed has changed. Please look it up again.</source>
        <translation>税务机关未能入账：应缴金额已变化，请重新查询。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Choose what to pay first, then show your payment code on the QR code screen.</source>
        <translation>请先选择要缴纳的项目，在扫码缴款页面再出示付款码。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This is not a WeChat Pay, Alipay or UnionPay payment code. Open the payment code in your app and hold it under the scanner.</source>
        <translation>这不是微信、支付宝或云闪付的付款码。请在手机应用中打开付款码，对准扫描窗口。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Paying by QR code is not possible on this terminal right now. Please pay by bank card.</source>
        <translation>本机暂时无法扫码缴款，请使用银行卡缴款。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The payment service refused this order. Nothing was charged. Please try again.</source>
        <translation>支付机构拒绝了本笔订单，未扣款。请重试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The payment order was closed. Nothing was charged.</source>
        <translation>支付订单已关闭，未扣款。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The payment order was cancelled. If money was taken it goes back to the account you paid from.</source>
        <translation>支付订单已撤销。如已扣款，款项将原路退回。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose at least one item to pay.</source>
        <translation>请至少选择一项要缴纳的项目。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No vehicle of yours is registered for vehicle tax at this hall. If an insurer collects your vehicle tax, nothing is due here.</source>
        <translation>未查询到您需在此申报车船税的车辆。如车船税已由保险机构代收代缴，无需在此缴纳。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The province&apos;s vehicle tax table is not available. Please ask at the counter.</source>
        <translation>暂未获取本省车船税税额标准，请到窗口办理。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The vehicle&apos;s details cannot be used to work out the tax. Please ask at the counter.</source>
        <translation>车辆信息有误，无法计算税额，请到窗口办理。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>There are no prefilled figures for last year. Please file at the counter or in the tax app.</source>
        <translation>暂无上一年度的预填数据，请到窗口或个人所得税APP办理。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The contribution levels for this year are not available. Please ask at the counter.</source>
        <translation>暂未获取本年度缴费档次，请到窗口办理。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Some of these months are paid already. Choose months not yet paid.</source>
        <translation>所选月份中有已缴纳的月份，请选择未缴纳的月份。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Choose the months from 1 to 12, the first not after the last.</source>
        <translation>请选择1至12月，起始月份不能晚于终止月份。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Months after this one cannot be paid yet.</source>
        <translation>不能缴纳本月之后的月份。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>This is not a fully-digital invoice (数电票). Please scan the QR code of a fully-digital invoice.</source>
        <translation>这不是数电票，请扫描数电票上的二维码。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The invoice lottery needs your ID card. Please sign out, then sign in with your ID card.</source>
        <translation>参与有奖发票需刷身份证。请退出登录后，用身份证重新登录。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The tax service has no record of this invoice yet. A new invoice can take an hour to arrive: please try again later.</source>
        <translation>税务机关尚未收到这张发票的信息。新开的发票约需一小时同步，请稍后再试。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The amount or date in this QR code is not the invoice&apos;s on record. Please scan the QR code on the invoice itself.</source>
        <translation>二维码中的金额或日期与发票记录不一致，请扫描发票上的原始二维码。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Only ordinary invoices (普票) take part in the lottery, not special VAT invoices.</source>
        <translation>只有普通发票可以参与有奖发票活动，增值税专用发票不参与。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Invoices the tax office issued on behalf of a seller (代开) do not take part in the lottery.</source>
        <translation>税务机关代开的发票不参与有奖发票活动。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Only invoices issued to a natural person by real name take part, not invoices to an organisation.</source>
        <translation>只有开给自然人实名的发票可以参与，开给单位的发票不参与。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The buyer on this invoice is not you. Only the person named as buyer may enter it.</source>
        <translation>这张发票的购买方不是您本人，只有发票上的购买方本人可以参与。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This invoice has already taken part in the lottery.</source>
        <translation>这张发票已经参与过抽奖。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No invoice lottery is running for this invoice&apos;s date.</source>
        <translation>这张发票的开票日期不在有奖发票活动期间。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The seller&apos;s trade is not part of the invoice lottery.</source>
        <translation>销售方所属行业不在有奖发票活动范围内。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Only invoices of %1 yuan or more take part.</source>
        <translation>价税合计 %1 元及以上的发票才能参与。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>You have entered %1 invoices today, the most allowed. Please come back tomorrow.</source>
        <translation>您今天已参与 %1 张发票，已达上限，请明天再来。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>You have entered %1 invoices this month, the most allowed.</source>
        <translation>您本月已参与 %1 张发票，已达上限。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>You have entered %1 invoices in this lottery, the most allowed.</source>
        <translation>您在本期活动中已参与 %1 张发票，已达上限。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>You have entered %1 invoices from this seller, the most allowed.</source>
        <translation>您已参与同一销售方的 %1 张发票，已达上限。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This invoice is not among the fully-digital invoices you issued or received.</source>
        <translation>这张发票不在您开具或取得的数电票中。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This application is not on record for you.</source>
        <translation>没有查到您的这笔代开申请。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The tax on this invoice is not recorded as paid yet. The invoice is issued once the tax office has recorded the payment.</source>
        <translation>这张发票的税款尚未入账，税务机关确认缴款后即开具发票。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Invoices are issued here for natural persons only. Please sign in for yourself, not for an enterprise.</source>
        <translation>本机仅为自然人代开发票，请以本人身份登录，不要代表企业办理。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>An invoice here has 1 to 8 lines. For more, please go to the counter.</source>
        <translation>本机代开的发票可填 1 至 8 行项目，更多项目请到窗口办理。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Each line needs an item name, a quantity above 0 and a unit price in yuan above 0 (at most 2 decimals).</source>
        <translation>每行需填写项目名称、大于 0 的数量和大于 0 的单价（元，最多两位小数）。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>A line&apos;s amount must be its quantity times its unit price.</source>
        <translation>每行金额须等于数量乘以单价。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This amount is above what the terminal may issue. Please go to the counter.</source>
        <translation>金额超过本机可代开的上限，请到窗口办理。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Enter the buyer&apos;s name. A taxpayer number has 15 to 20 digits or capital letters.</source>
        <translation>请输入购买方名称。纳税人识别号为 15 至 20 位数字或大写字母。</translation>
    </message>
</context>
<context>
    <name>NoticesScreen</name>
    <message>
        <location filename="../screens/notices.py" line="+29"/>
        <source>My messages</source>
        <translation>我的消息</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>You have no messages.</source>
        <translation>您没有消息。</translation>
    </message>
</context>
<context>
    <name>OfflineBanner</name>
    <message>
        <location filename="../widgets/offline_banner.py" line="+97"/>
        <source>Network is back. Uploading saved transactions: %1</source>
        <translation>网络已恢复，正在上传 %1 笔业务</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Offline since %1. Transactions waiting to upload: %2</source>
        <translation>网络中断：%2 笔业务待上传（自 %1 起）</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Offline. Transactions waiting to upload: %1</source>
        <translation>网络中断：%1 笔业务待上传</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Offline since %1. Some services are unavailable.</source>
        <translation>网络中断（自 %1 起），部分业务暂不可用</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Offline. Some services are unavailable.</source>
        <translation>网络中断，部分业务暂不可用</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The offline limit is reached: no more requests can be saved until the network is back.</source>
        <translation>离线暂存已达上限：网络恢复前无法再受理需暂存的业务。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The offline limit is nearly reached: soon no more requests can be saved.</source>
        <translation>离线暂存即将达到上限，稍后将无法再受理需暂存的业务。</translation>
    </message>
</context>
<context>
    <name>OutOfServiceStaffScreen</name>
    <message>
        <location filename="../screens/out_of_service.py" line="+307"/>
        <source>Out of service</source>
        <extracomment>What staff can choose from (id, zh, en): the terminal shows both languages.</extracomment>
        <translation>暂停服务</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Where taxpayers can go instead</source>
        <translation>请纳税人改到何处办理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Take this terminal out of service</source>
        <translation>暂停本终端服务</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Back in service</source>
        <translation>恢复服务</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Back to maintenance</source>
        <translation>返回维护</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>This terminal is in service.</source>
        <translation>本终端正在服务。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Out of service, set by the central service: %1</source>
        <translation>已由中心服务暂停服务：%1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Out of service, set in this hall: %1</source>
        <translation>已由本厅暂停服务：%1</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Not for your role</source>
        <translation>您的角色无此权限</translation>
    </message>
</context>
<context>
    <name>OutcomeScreen</name>
    <message>
        <location filename="../flow/outcome.py" line="+40"/>
        <source>Printing…</source>
        <translation>正在打印…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Slip printed. Please take it.</source>
        <translation>凭条已打印，请取走。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Print a slip</source>
        <translation>打印凭条</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Result</source>
        <translation>办理结果</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start again</source>
        <translation>重新办理</translation>
    </message>
</context>
<context>
    <name>PaymentCardScreen</name>
    <message>
        <location filename="../flow/payment.py" line="+242"/>
        <source>Pay by bank card</source>
        <extracomment>The result headline per final view of an outcome: (中文, English, tone).</extracomment>
        <translation>银行卡缴税</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Amount: %1</source>
        <translation>缴款金额：%1</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>1. Insert your bank card into the slot at the bottom of the card terminal, chip first, or hold it on the wave mark.</source>
        <translation>1. 将银行卡芯片朝前插入刷卡终端下方的卡槽，或将卡片贴近感应标志。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>2. Enter your PIN on the card terminal&apos;s keypad, shielding it with your hand, and press the green key.</source>
        <translation>2. 用手遮挡，在刷卡终端键盘上输入密码，按绿色确认键。</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>3. Wait until the bank answers. Do not take the card out before the terminal says so.</source>
        <translation>3. 请等待银行应答，终端提示前请勿取出银行卡。</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Enter your PIN on the card terminal…</source>
        <translation>请在刷卡终端上输入密码…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Waiting for the bank…</source>
        <translation>正在等待银行应答…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Insert or tap your bank card on the card terminal. To cancel, press the red key on the card terminal.</source>
        <translation>请在刷卡终端插卡或挥卡。如需取消，请按刷卡终端上的红色取消键。</translation>
    </message>
</context>
<context>
    <name>PaymentResultScreen</name>
    <message>
        <location line="+25"/>
        <source>Payment result</source>
        <translation>缴款结果</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Print again</source>
        <translation>再次打印</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Amount: %1</source>
        <translation>缴款金额：%1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Card: **** %1</source>
        <translation>银行卡：**** %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Bank&apos;s answer: %1</source>
        <translation>银行应答：%1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Voucher %1: %2 %3</source>
        <translation>税票号 %1：%2 %3</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Order: %1</source>
        <translation>订单号：%1</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Printing your voucher…</source>
        <translation>正在打印电子缴款凭证…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Printing your slip…</source>
        <translation>正在打印凭条…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Printed. Please take it from the printer slot.</source>
        <translation>已打印，请从出纸口取走。</translation>
    </message>
</context>
<context>
    <name>PaymentsScreen</name>
    <message>
        <location filename="../screens/certificate_print.py" line="+25"/>
        <source>Another kind</source>
        <translation>选择其他证明种类</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Preview</source>
        <translation>预览</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Tax payment certificate (one payment)</source>
        <translation>税收完税证明（文书式）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Choose the payment to certify.</source>
        <translation>请选择要开具证明的缴款。</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>No paid tax is on record for you.</source>
        <translation>没有查到您的缴款记录。</translation>
    </message>
</context>
<context>
    <name>PeriodScreen</name>
    <message>
        <location line="+42"/>
        <source>Please wait…</source>
        <translation>请稍候……</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Months as YYYYMM, e.g. 202501 to 202512; at most 36 months.</source>
        <translation>月份按YYYYMM填写，例如202501至202512；最长36个月。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Another kind</source>
        <translation>选择其他证明种类</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>From month</source>
        <translation>起始月份</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>To month</source>
        <translation>截止月份</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Preview</source>
        <translation>预览</translation>
    </message>
</context>
<context>
    <name>PickupDispenseScreen</name>
    <message>
        <location filename="../screens/invoice_pickup.py" line="+349"/>
        <source>Done</source>
        <translation>完成</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Invoices collected</source>
        <translation>发票已领取</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Pickup stopped</source>
        <translation>领取已中止</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Issuing your invoices</source>
        <translation>正在出票</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Box %1 of %2 is being issued…</source>
        <translation>正在发出第 %1 盒（共 %2 盒）…</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>(box %1 of %2)</source>
        <translation>（第 %1 盒，共 %2 盒）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>%1 pieces collected.</source>
        <translation>已领取 %1 份。</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Printing your pickup receipt (领用凭条)…</source>
        <translation>正在打印领用凭条…</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Pickup receipt printed. Please take it from the printer slot.</source>
        <translation>领用凭条已打印，请从打印口取走。</translation>
    </message>
</context>
<context>
    <name>PickupEntry</name>
    <message>
        <location line="-242"/>
        <source>Please wait…</source>
        <translation>请稍候…</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Collect paper invoices</source>
        <translation>发票领取</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Pickup code (取票码)</source>
        <translation>取票码</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Look up</source>
        <translation>查询</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Type the pickup code from your application, scan its QR code, or choose one of your applications below.</source>
        <translation>请输入申领时获得的取票码，或扫描取票码二维码，或在下方选择您的申请。</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>You have no application to collect at this terminal.</source>
        <translation>您没有可在本终端领取的发票申请。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your applications to collect here:</source>
        <translation>您可在本终端领取的申请：</translation>
    </message>
</context>
<context>
    <name>PickupOrderScreen</name>
    <message>
        <location line="+53"/>
        <source>Your invoice application</source>
        <translation>您的发票申领</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Used invoices (验旧)</source>
        <translation>发票验旧</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Your limits</source>
        <translation>领用限额</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Collect the invoices</source>
        <translation>领取发票</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>The tax service cannot be reached: checked against this terminal&apos;s copy of %1; the pickup is recorded when the link is back.</source>
        <translation>暂时无法连接税务系统：已按本机 %1 的缓存数据核验，联网后自动上传领用记录。</translation>
    </message>
</context>
<context>
    <name>PreviewScreen</name>
    <message>
        <location filename="../screens/certificate_print.py" line="+31"/>
        <source>Preview</source>
        <translation>预览</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Another certificate</source>
        <translation>开具其他证明</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>The preview shows page 1 of %1.</source>
        <translation>预览显示第1页，共%1页。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Print again</source>
        <translation>再次打印</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Print on A4</source>
        <translation>A4纸打印</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Printing…</source>
        <translation>正在打印……</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Printed. Please take your certificate from the A4 printer.</source>
        <translation>已打印，请在A4打印机出纸口取走证明。</translation>
    </message>
</context>
<context>
    <name>ProgressScreen</name>
    <message>
        <location filename="../screens/progress_query.py" line="+28"/>
        <source>Progress of my applications</source>
        <translation>办理进度</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>You have no applications or refunds in progress.</source>
        <translation>您没有正在办理的申请或退税。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Tap an application to see its steps.</source>
        <translation>点击一项申请，查看办理环节。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Print this application&apos;s progress</source>
        <translation>打印办理进度</translation>
    </message>
</context>
<context>
    <name>QueuedScreen</name>
    <message>
        <location filename="../flow/notice.py" line="+30"/>
        <source>Reference: %1</source>
        <translation>受理编号：%1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Printing your slip…</source>
        <translation>正在打印凭条…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Your slip has been printed. Please take it.</source>
        <translation>凭条已打印，请取走。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Please write down the reference above.</source>
        <translation>请记下上面的受理编号。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Request accepted</source>
        <translation>申请已受理</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Start again</source>
        <translation>重新办理</translation>
    </message>
</context>
<context>
    <name>ResidenceDetails</name>
    <message>
        <location filename="../screens/residence_certificate.py" line="+154"/>
        <source>Which income is it for? (one or more)</source>
        <translation>涉及哪些所得？（可多选）</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Back to year and country</source>
        <translation>返回修改年度和国家（地区）</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Tax residence certificate: application</source>
        <translation>中国税收居民身份证明 申请</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Why do you need it?</source>
        <translation>申请事由</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Submit the application</source>
        <translation>提交申请</translation>
    </message>
</context>
<context>
    <name>ResidenceForm</name>
    <message>
        <location line="-118"/>
        <source>Apply for a certificate of Chinese tax residence, e.g. to claim tax treaty benefits abroad. The tax office reviews the application; you get a receipt with its number.</source>
        <translation>申请开具《中国税收居民身份证明》，例如用于在境外享受税收协定待遇。税务机关审核申请，您将获得载明申请编号的受理回执。</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Tax residence certificate: application</source>
        <translation>中国税收居民身份证明 申请</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>For which year?</source>
        <translation>证明哪一年度？</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>To show in which country or region?</source>
        <translation>向哪个国家（地区）出具？</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Country or region</source>
        <translation>国家（地区）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Next</source>
        <translation>下一步</translation>
    </message>
</context>
<context>
    <name>ResidenceSaved</name>
    <message>
        <location line="+116"/>
        <source>Application accepted</source>
        <translation>申请已受理</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Your application is registered under the number below. This terminal sends it to the tax office at once, or as soon as the network is back; the number stays the same.</source>
        <translation>您的申请已按下方编号登记。本终端会立即将其发送至税务机关；如网络中断，将在恢复后发送，编号不变。</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Another application</source>
        <translation>再提交一份申请</translation>
    </message>
</context>
<context>
    <name>SchoolFlow</name>
    <message>
        <location filename="../screens/school_courses.py" line="-221"/>
        <source>Your booking is cancelled; the seat is free again.</source>
        <translation>已取消预约，座位已释放。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Thank you for your score.</source>
        <translation>感谢您的评价。</translation>
    </message>
</context>
<context>
    <name>ScrollListScreen</name>
    <message>
        <location filename="../flow/scroll_list.py" line="+49"/>
        <source>Nothing found.</source>
        <translation>没有找到相关记录。</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Please wait…</source>
        <translation>请稍候……</translation>
    </message>
</context>
<context>
    <name>StaffPinScreen</name>
    <message>
        <location filename="../screens/staff.py" line="+91"/>
        <source>Staff sign-in</source>
        <translation>工作人员登录</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Enter your PIN (6 to 8 digits) on the keypad, then tap Sign in. The card locks after too many wrong PINs.</source>
        <translation>请用数字键盘输入密码（6 至 8 位），然后点击“登录”。密码错误次数过多时此卡将被锁定。</translation>
    </message>
    <message>
        <location line="+2"/>
        <location line="+1"/>
        <source>PIN</source>
        <translation>密码</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancel and go back</source>
        <translation>取消并返回</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+1"/>
        <source>Sign in</source>
        <translation>登录</translation>
    </message>
    <message>
        <location line="+44"/>
        <source>Checking the PIN…</source>
        <translation>正在验证密码…</translation>
    </message>
</context>
<context>
    <name>SuggestionForm</name>
    <message>
        <location filename="../screens/suggestion_box.py" line="+38"/>
        <source>Tell us what we could do better, or share an idea. Leave a phone number if you would like an answer.</source>
        <translation>欢迎对我们的服务提出意见建议或分享您的创意。如需回复，请留下联系电话。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Suggestions and ideas</source>
        <translation>意见建议 / 创意征集</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>What is it about?</source>
        <translation>类别</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Your suggestion</source>
        <translation>您的意见或建议</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Phone number for an answer (optional)</source>
        <translation>联系电话（选填，用于回复）</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Send</source>
        <translation>提交</translation>
    </message>
</context>
<context>
    <name>SuggestionSaved</name>
    <message>
        <location line="+16"/>
        <source>Thank you</source>
        <translation>感谢您的意见建议</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Your suggestion is registered under the receipt number below. This terminal sends it to the tax office at once, or as soon as the network is back.</source>
        <translation>您的意见建议已登记，受理号见下方。本机会立即提交；如网络中断，将在恢复后自动提交。</translation>
    </message>
</context>
<context>
    <name>TaxpayerInfoScreen</name>
    <message>
        <location filename="../screens/taxpayer_info.py" line="+27"/>
        <source>Tax registration</source>
        <translation>税务登记信息</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Print my registration</source>
        <translation>打印登记信息</translation>
    </message>
</context>
<context>
    <name>TicketForm</name>
    <message>
        <location filename="../screens/consult_ticket.py" line="+53"/>
        <source>Looking it up, please wait…</source>
        <translation>正在查询，请稍候…</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Look up a 12366 ticket</source>
        <translation>12366 工单查询</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Ticket number: the 12 digits after GD on your slip</source>
        <translation>工单号：凭条上 GD 后面的 12 位数字</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Look up</source>
        <translation>查询</translation>
    </message>
</context>
<context>
    <name>TicketResult</name>
    <message>
        <location line="+23"/>
        <source>Your 12366 ticket</source>
        <translation>您的 12366 工单</translation>
    </message>
</context>
<context>
    <name>VerifyManualScreen</name>
    <message>
        <location filename="../screens/invoice_verify.py" line="+145"/>
        <source>Type the invoice details</source>
        <translation>手工输入发票信息</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Invoice type:</source>
        <translation>发票种类：</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Verify</source>
        <translation>查验</translation>
    </message>
</context>
<context>
    <name>VerifyPendingScreen</name>
    <message>
        <location line="+60"/>
        <source>The result is not back yet</source>
        <translation>查验结果尚未返回</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Your request is saved and will be checked as soon as the network is back. Please scan the slip again later.</source>
        <translation>您的查验申请已保存，网络恢复后将立即查验。请稍后再扫描凭条查看结果。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Verify another invoice</source>
        <translation>查验其他发票</translation>
    </message>
</context>
<context>
    <name>VerifyQueuedScreen</name>
    <message>
        <location line="-24"/>
        <source>Request accepted</source>
        <translation>申请已受理</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The tax service cannot be reached right now, so your request has been saved on this terminal. It will be checked automatically when the network is back. Scan the QR code on your slip at any terminal to see the result.</source>
        <translation>目前无法连接税务系统，您的申请已保存在本终端，网络恢复后将自动查验。在任一终端扫描凭条上的二维码即可查看结果。</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Verify another invoice</source>
        <translation>查验其他发票</translation>
    </message>
</context>
<context>
    <name>VerifyResultScreen</name>
    <message>
        <location line="-36"/>
        <source>Verification result</source>
        <translation>查验结果</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Print a slip</source>
        <translation>打印凭条</translation>
    </message>
    <message>
        <location line="-3"/>
        <source>Verify another invoice</source>
        <translation>查验其他发票</translation>
    </message>
    <message>
        <location line="-4"/>
        <source>Warning: the QR code&apos;s check digits do not match. It may be damaged or altered; the invoice was checked anyway.</source>
        <translation>注意：二维码的校验位不一致，二维码可能已损坏或被改动；仍已按其内容查验发票。</translation>
    </message>
</context>
<context>
    <name>VerifyScanScreen</name>
    <message>
        <location line="-107"/>
        <source>Checking, please wait…</source>
        <translation>正在查验，请稍候…</translation>
    </message>
    <message>
        <location line="-5"/>
        <source>Invoice verification</source>
        <translation>发票查验</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Hold the QR code on the invoice under the scanner. To see the result of an earlier request, scan the QR code on its slip.</source>
        <translation>请将发票上的二维码对准扫描器。如需查看之前申请的结果，请扫描凭条上的二维码。</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>No QR code? Type the invoice details</source>
        <translation>没有二维码？手工输入发票信息</translation>
    </message>
    <message>
        <location line="-3"/>
        <source>The scanner is not available; please type the invoice details</source>
        <translation>扫描器暂不可用，请手工输入</translation>
    </message>
</context>
<context>
    <name>VoiceGuidance</name>
    <message>
        <location filename="../voice.py" line="+374"/>
        <source>Voice</source>
        <translation>语音</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Voice guidance (unavailable)</source>
        <translation>语音引导（不可用）</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Voice guidance is on</source>
        <translation>语音引导已开启</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Voice guidance is off</source>
        <translation>语音引导已关闭</translation>
    </message>
</context>
<context>
    <name>VoucherList</name>
    <message>
        <location filename="../screens/voucher_reprint.py" line="+99"/>
        <source>Reprint this voucher</source>
        <translation>补打此缴款凭证</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Reprint a payment voucher</source>
        <translation>缴款凭证补打</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Choose a paid voucher. A reprint is marked as such and shows how often the voucher has been printed.</source>
        <translation>请选择已缴款的税票。补打的凭证注明“补打”及打印次数。</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>No paid tax is on record for you.</source>
        <translation>没有查到您的缴款记录。</translation>
    </message>
    <message>
        <location line="+25"/>
        <source>Printing…</source>
        <translation>正在打印……</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Reprinted (print no. %1). Please take the slip.</source>
        <translation>已补打（第%1次打印），请取走凭条。</translation>
    </message>
</context>
<context>
    <name>WithdrawConfirm</name>
    <message>
        <location filename="../screens/credit_rating.py" line="+92"/>
        <source>Stop sending your tax credit rating to %1?</source>
        <translation>确定不再向%1推送您的纳税信用信息吗？</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Withdraw my consent</source>
        <translation>撤回授权</translation>
    </message>
</context>
</TS>
