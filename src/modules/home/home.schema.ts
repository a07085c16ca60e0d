import { z } from 'zod'
import { MIN_PASSWORD_LENGTH } from '../../platform/auth/passwords.js'

export const NewPassword = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `Password must be at least ${MIN_PASSWORD_LENGTH} characters`)
  .max(200, 'Password must be 200 characters or fewer')

export const ChangePasswordForm = z
  .object({
    currentPassword: z.string().min(1, 'Enter your current password'),
    newPassword: NewPassword,
    confirmPassword: z.string(),
  })
  .refine((f) => f.newPassword === f.confirmPassword, {
    path: ['confirmPassword'],
    message: 'Passwords must match',
  })
