from celery import shared_task

from . import services


# SMTP errors are OSErrors: retry with a growing delay rather than lose the email.
@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_welcome_email(user_id: int) -> bool:
    return services.user_send_welcome_email(user_id=user_id)


# The address, not a user: the task decides whether anyone has it (see the service).
@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_password_reset_email(email: str, request_id: str) -> int:
    return services.user_send_password_reset(email=email, request_id=request_id)
