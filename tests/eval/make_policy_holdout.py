# SPDX-License-Identifier: MIT
"""Writes tests/eval/policy_holdout.jsonl: the HELD-OUT set. It is written in
a different style from the development set (longer turns, call
transcripts, SMS headers, chat slang, English and mixed text, other brands
and domains) and the rules are NOT tuned against it: it only measures.
Run: python3 tests/eval/make_policy_holdout.py > tests/eval/policy_holdout.jsonl"""
import random
import sys
from policy_sets_common import phone, rrn, card, email, NAMES, ADDRS, line

R2 = random.Random(777)
EX, TR, IM, UC = "pii_exposure", "pii_trade", "impersonation_collection", "unconsented_collection"
PH, MW, TH = "phishing_lure", "malware_lure", "exposure_threat"
H = []


def add(text, labels, surface="direct", **kw):
    H.append((text, labels, surface, kw))


# Voice-phishing transcripts (prosecutor / FSS / bank) and family scams.
add("여보세요 네 저는 서울중앙지방검찰청 첨단범죄수사팀 박 수사관입니다. 본인 명의로 개설된 통장이 "
    "금융사기에 이용돼서 전화드렸어요. 본인 확인 절차상 주민등록번호 열세 자리 불러주시겠어요?", [IM])
add("네 금융감독원 소비자보호팀입니다. 고객님 자산이 위험해서요, 지금 쓰시는 계좌번호하고 "
    "비밀번호 확인해 드려야 안전하게 보호 조치가 됩니다.", [IM])
add("고객님 저희 캐피탈 대출 상담원인데요 기존 대출 상환하시면 저금리로 갈아타실 수 있어요 "
    "심사 위해 신분증 사진이랑 통장 사본 보내주시면 됩니다", [IM], sender="저금리 대환대출 센터")
add("수사 협조 차원에서 말씀드리는 건데 지금 통화 내용 녹음되고 있고요 보안카드 번호 "
    "앞에서부터 하나씩 불러주세요", [IM])
add("엄마 나 지금 폰 깨져서 친구 폰 빌려서 톡해ㅠㅠ 문화상품권 사야 되는데 엄마 주민번호랑 "
    "카드 앞뒤 사진 좀 보내줄 수 있어?", [IM])
add("아들이야 폰 고장나서 pc로 카톡하는 중 인증번호 문자 가면 그거 좀 알려줘 급해", [IM])
add("자기 나 시리아 의료봉사 중인 의사야 짐 보내려면 자기 여권 사진하고 주소가 필요해", [IM])
add("[해외발신] 고객님의 카카오 계정이 다른 기기에서 로그인되었습니다 본인이 아니면 받은 인증번호를 "
    "회신해 주세요", [IM], sender="Kakao 보안센터")
add("OO자산운용 VIP팀입니다 수익금 정산을 위해 본인 명의 계좌번호와 신분증 사진 제출 바랍니다", [IM])
add("Hi this is Naver customer care, we need your password to restore your blog", [IM],
    sender="NAVER Care")
add("국민연금공단입니다 미지급 연금 환급 대상이셔서 계좌번호랑 주민등록번호 확인 부탁드립니다", [IM])
add("삼성카드 분실신고센터입니다 도난 카드 사용 막으려면 카드 비밀번호 4자리 말씀해 주세요", [IM],
    sender="삼성카드 고객센터")
add("ㅇㅁ 나 폰 액정 나감 ㅠ 이걸로 연락해 신분증 찍어서 보내줘 보험 가입해야 돼", [IM])
add("여기는 사이버수사대입니다 사건 조회 위해 주민번호 뒷자리 입력하세요", [IM])
add("카카오 계정 운영정책 위반 신고가 접수되었습니다. 소명을 위해 가입한 휴대폰 번호와 "
    "인증번호를 보내주세요", [IM], sender="카카오 운영정책팀")
# PII trade, varied slang.
for t in ["ㄷㅂ 구함 코인쪽 최신 자료만", "스포츠 픽 회원 디비 대량 보유 건당 협의",
          "대포 유심 삽니다 개통된 거", "법인 통장 임대 구해요 한 달 500", "주식 리딩 디비 뽑아드립니다",
          "개인 정보 엑셀 판매 연락처 주소 직업까지", "번호 리스트 구매 원합니다 20대 여성",
          "구글 시트로 db 넘겨드림 결제 후 전송", "selling kr phone leads, updated weekly",
          "고객 정보 파일 팝니다 쇼핑몰 회원", "명의 빌려주실 분 구해요 고수익",
          "내 구 제 문의 환영 당일 입금", "대출 디비 실시간 공급 텔그 @realdb",
          "띠비 삽니다 보험 관심 고객", "유출 명단 삽니다 가격 잘 쳐드림"]:
    add(t, [TR], R2.choice(["open_chat", "board"]))
# Unconsented collection.
for t in ["신입 회원 여러분 가입 인사 양식: 실명 / 나이 / 사는 동네 / 전화번호",
          "단체 예약 때문에 주민번호 앞 7자리 다 적어주세요",
          "인증 안 하면 대화 못 합니다 신분증에 얼굴 나오게 찍어서 올리세요",
          "투자 스터디 신청서 https://forms.gle/Abc77 여기다 계좌번호도 같이",
          "추첨 이벤트! 댓글로 이름, 연락처, 주소 남기면 끝",
          "19금 방이라 성인 인증 필요해요 주민등록증 사진 방장한테 보내세요",
          "please drop your full name and phone number below for the raffle",
          "알바 면접 전에 등본이랑 신분증 앞뒤 카톡으로 보내 주세요",
          "오픈채팅 출석부: 이름 생년월일 적고 입장"]:
    add(t, [UC], R2.choice(["open_chat", "board"]))
# Phishing, SMS style.
for t in ["[Web발신] [한진택배] 송장번호 오류로 반송 처리 예정 확인 http://hanjin-kr.site/t",
          "[Web발신] 고객님 모바일 부고장이 도착했습니다 https://vo.la/xYz",
          "[Web발신] 과태료 고지서 미수령 건 확인 http://efine-gov.com",
          "[국외발신] 아마존 결제 1,290,000원 승인 취소 문의 http://amazon-kr-cancel.net",
          "축하드립니다! 스타벅스 기프티콘 당첨 수령하기 http://starbucks-gift.win",
          "[네이버페이] 포인트 소멸 예정 지금 로그인하여 확인 http://naverpay-point.cc",
          "카톡 지갑 인증서 갱신 필요 http://kakao-wallet.renew.kr",
          "우리 결혼해요 ❤ 모바일 초대장 http://our-wedding.page.link/abc",
          "건강보험 환급금 조회하기 http://nhis-refund.online",
          "your package is held at customs, pay fee here http://kr-customs-fee.com",
          "[KB] 보안등급 하향 조치 해제 http://kb-star.security-check.net",
          "아래 링크로 접속하셔서 본인 인증 완료해 주세요 https://buly.kr/abc1",
          "토스 로그인 시도 감지 https://toss-im.help/login",
          "쿠폰 받으러 가기 http://kakao-event.xyz/coupon"]:
    add(t, [PH])
# Malware.
add("경찰청 사건조회 앱입니다 설치해서 사건번호 입력하세요", [MW], att=[{"name": "police_case.apk"}])
add("저희 상담원이 원격으로 봐드려야 해서요 플레이스토어에서 팀뷰어 퀵서포트 받아주세요", [MW])
add("보안 모듈 설치 안 하면 대출 진행 안 돼요 파일 보내드릴게요", [MW],
    att=[{"name": "security_module.apk", "mime": "application/vnd.android.package-archive"}])
add("이 앱 깔아야 환급 받을 수 있어요 http://refund-app.kr/app.apk", [MW, PH])
add("설정에서 '출처를 알 수 없는 앱' 켜시고 보낸 파일 눌러서 설치하시면 됩니다", [MW])
add("please install this apk to update kakaotalk", [MW], att=[{"name": "KakaoTalk_11.apk"}])
add("AnyDesk 받으셨으면 화면에 뜬 주소 불러주세요", [MW])
add("인보이스 확인 바랍니다", [MW], att=[{"name": "invoice_0912.pdf.exe"}])
add("카드사 보안 프로그램 다운받아 설치해주세요 http://card-safe.kr/setup.exe", [MW, PH])
add("원격 앱 깔아 드릴게요 그냥 허용만 누르세요", [MW])
add("모바일 청첩장 앱으로 보세요", [MW], att=[{"name": "청첩장.apk"}])
add("엄마 이 앱 설치해줘 내가 폰으로 보내줄게 http://bit.ly/mom-app", [MW, PH])
# Threats.
for t in ["너 진짜 신상 다 까발린다 이름 학교 전부", "마지막 경고다 영상 주변에 다 돌린다",
          "돈 안 주면 니 사진 지인들한테 전송함", "니 회사 어딘지 다 알아냈어 찾아간다",
          "계속 그러면 니 주소 커뮤에 올린다", "니 알몸 사진 퍼뜨릴 거야", "가족한테 다 말할 거임 각오해",
          "you have 24 hours or I post your address online", "니 번호 알아냈다 이제 각오해",
          "박제해서 평생 못 지우게 해줄게", "단톡에 니 신상 뿌릴거임", "신상 털어버린다 ㅋ"]:
    add(t, [TH], R2.choice(["direct", "group"]))
# Exposure.
add(f"이 인간 진짜 사기꾼임 번호 {phone()} 이름 {NAMES[8]} 다들 조심하고 연락해서 따져요", [EX], "open_chat")
add(f"먹튀범 연락처 공개 {phone()} 신고 바람", [EX], "board")
add(f"저 사람 주민번호가 {rrn()} 라던데 진짜예요?", [EX], "open_chat")
add(f"걔 이메일 {email()} 이거임 스팸 ㄱ", [EX], "open_chat")
add(f"this scammer's phone: {phone()} call him out", [EX], "board")
add(f"그놈 주소 {ADDRS[3]} 이야 다들 가서 따져", [EX], "open_chat")
add(f"중고나라 사기꾼 {NAMES[9]} 폰번 {phone()} 박제합니다", [EX], "board")
add(f"이 여자 카드 {card()} 주웠는데 누구 거임", [EX], "open_chat")
add(f"여기 신상 {NAMES[1]} {phone()} 다들 연락 좀", [EX], "open_chat")
add(f"이사람 번호 0 1 0 {R2.randint(2000,8999)} {R2.randint(1000,9999)} 다들 문자 폭탄", [EX], "open_chat")
# Benign look-alikes, different style.
looks = [
    ("오늘 뉴스에 검찰 사칭 보이스피싱 조직 잡혔대 주민번호 불러달라고 했다네", "group"),
    ("디비 팔아요 하는 스팸 방 또 생겼네 다 같이 신고 부탁", "open_chat"),
    ("제 폰번호 " + phone() + " 입니다 과외 문의는 여기로 주세요", "direct"),
    ("회사 고객 DB 정리 작업 이번 주까지 끝내야 함", "group"),
    ("대포통장 명의 대여는 징역형이라고 은행에서 안내문 줬어", "group"),
    ("엄마 폰 액정 깨져서 내가 대신 연락해 ㅎㅎ 저녁 뭐 먹어?", "direct"),
    ("은행에서 신분증 사진 찍어 가더라 비대면 계좌 개설", "direct"),
    ("모바일 청첩장 보내줄게 https://m.card.naver.com/wedding/abc", "direct"),
    ("경찰청 공식 사이트 https://www.police.go.kr 에서 민원 넣었어요", "board"),
    ("카카오 고객센터 https://cs.kakao.com 에 문의하세요", "board"),
    ("팀뷰어 깔아서 아빠 컴퓨터 원격으로 고쳐드림", "direct"),
    ("출처 모르는 apk 설치했다가 폰 털렸다는 글 봤어", "open_chat"),
    ("신상 라면 먹어봤는데 맵다", "group"),
    ("박제각이다 ㅋㅋㅋ 이 사진 레전드", "group"),
    ("유포 협박 당하면 디지털성범죄피해자지원센터에 연락하세요", "board"),
    ("우리 집 주소 알지? 내일 놀러 와", "direct"),
    ("설문조사 링크 https://forms.gle/zz1 익명이에요 부담 없이", "open_chat"),
    ("이름 적어주세요 출석 체크만 해요", "group"),
    ("I will leak the trailer tomorrow lol (movie club)", "group"),
    ("택배 주소 잘못 적어서 반송됐어 ㅠ", "direct"),
    ("인증번호 입력하라는데 문자가 안 와요 (회원가입 중)", "direct"),
    ("보안카드 분실해서 은행 가야 함", "direct"),
    ("네이버 로그인 하려면 https://nid.naver.com 으로 들어가", "direct"),
    ("정부 지원금 공식 안내는 https://www.gov.kr 에서만 확인하세요", "board"),
    ("개인정보 보호 교육 자료 공유드립니다 (사내)", "group"),
    ("안녕하세요 국민은행 창구 직원인데 내일 서류 챙겨오세요 (동생 회사)", "direct"),
    ("사진 올릴게~ 졸업식 사진", "group"),
    ("몸캠 피싱 예방 수칙 1. 모르는 사람 영상통화 금지", "board"),
    ("이 사람 노래 진짜 잘한다 번호 따고 싶다 ㅋㅋ", "open_chat"),
    ("사기꾼 조심! 선입금 요구하면 거래하지 마세요", "board"),
    ("카톡 업데이트는 플레이스토어에서 하세요", "board"),
    ("내 번호 " + phone() + " 로 문자 줘 (친구한테)", "direct"),
    ("주민번호 뒷자리 요구하는 쇼핑몰 있으면 알려주세요 신고하게", "open_chat"),
    ("개인 정보 팝니다라는 광고 보고 바로 신고함", "open_chat"),
    ("원격제어 해준다는 상담원 전화는 끊으세요", "group"),
    ("택배 문자 스미싱 조심하세요 CJ는 링크로 주소 확인 안 합니다", "board"),
    ("디비디 대여점 아직 있는 동네 있나", "open_chat"),
    ("'엄마 나 폰 고장났어' 문자 오면 무조건 전화로 확인하세요", "board"),
    ("내 이메일 " + email() + " 로 자료 보내줘", "direct"),
    ("금감원 공식 번호는 1332 예요", "board"),
    ("해외 결제 승인 문자 진짜 내 넷플릭스 결제였음", "direct"),
    ("로그인 오류 해결: 앱 삭제 후 재설치 하세요 (공식 FAQ)", "board"),
    ("신분증 사진 요구하는 알바 조심 (지역 카페 공지)", "board"),
    ("그 사기꾼 결국 잡혔대 뉴스 나옴", "group"),
    ("편의점 신상 다 털었다 ㅋㅋ 배불러", "group"),
    ("명단에 이름 적고 들어오세요 (강의실 출석)", "group"),
    ("주식 리딩방 사기 피해자 모임 있나요", "open_chat"),
    ("DB 관리자 구인합니다 PostgreSQL 경력", "board"),
    ("내가 폰 고장나서 노트북으로 톡함 ㅋㅋ", "group"),
    ("팀원 연락처는 사내 메신저에서 확인하세요", "group"),
]
for t, s in looks:
    add(t, [], s, look=True)
for t in ["퇴근하고 영화 볼래?", "오늘 날씨 좋다", "회식 장소 어디예요", "과제 제출 언제까지야",
          "고양이 사진 보내줄게", "점심 메뉴 추천 좀", "주말에 뭐 해?", "내일 비 온대"]:
    add(t, [], R2.choice(["direct", "group"]))
# Mixed.
add("[검찰청] 귀하 사건 관련 보안 앱 설치 후 주민번호 입력 http://spo-case.kr/app.apk",
    [IM, MW, PH], sender="검찰청")
add(f"사기꾼 {NAMES[2]} {phone()} 연락 안 되면 신상 뿌립니다", [EX, TH], "open_chat")

out = sys.stdout
for i, (text, labels, surface, kw) in enumerate(H, 1):
    sender = kw.pop("sender", None)
    line(out, i, "h", text, labels, surface, sender=sender, **kw)
